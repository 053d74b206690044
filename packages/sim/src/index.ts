/** @ddikit/sim: the runtime harness. Re-exports only. */
export { createSimulation, Simulation, RUN_TICKS_MAX } from './simulation.js';
export type { SimulationOptions, RunOptions, RunResult, RunStats } from './simulation.js';
export { defineMiniport, isMiniportDefinition, setMiniportAdapterContext } from './miniport.js';
export type { MiniportDefinition, MiniportHandlers } from './miniport.js';
export { REGISTER_REMOVED_VALUE } from './device.js';
export type {
  Device,
  DeviceHost,
  DeviceInterrupts,
  DeviceRegister,
  RegisterEffect,
  RegisterReadEffect,
  RegisterWriteEffect,
} from './device.js';
export { RegisterHandle, SimResources, resourcesOf } from './registers.js';
export { E1000Nic, NIC_DEFAULTS } from './nic.js';
export type { NicConfig, NicOptions, NicStats } from './nic.js';
export * as e1000 from './nic-regs.js';
export { Prng } from './prng.js';
export {
  Clock,
  DEFAULT_BUDGETS,
  DEFAULT_COSTS,
  TICK_NANOSECONDS,
  TICKS_PER_MICROSECOND,
  formatTicks,
  microsecondsToTicks,
  ticksToMicroseconds,
} from './time.js';
export type { CostModel, TimeBudgets } from './time.js';
export { IrqlEngine, Processor, PROCESSORS_MAX } from './irql.js';
export { SpinLocks, SpinLockState, HELD_LOCKS_MAX } from './spinlock.js';
export {
  Adapter,
  InterruptObject,
  Interrupts,
  CHOICE_ALTERNATIVES_MAX,
  DPC_DRAIN_MAX,
  MESSAGES_MAX,
  SCHEDULE_NESTING_MAX,
} from './interrupt.js';
export type { InterruptOptions, InterruptStats } from './interrupt.js';
export { RoleMonitor, ROLE_FRAMES_MAX } from './role-monitor.js';
export { MODELED_DDIS, NdisTable, STALL_MICROSECONDS_MAX, UnmodeledDdiError } from './ndis.js';
export type { DdiImplementation } from './ndis.js';
export {
  BUG_CHECKS,
  BugCheck,
  DDIKIT_P1,
  REPORTS_MAX,
  RULE_IDS,
  RULES,
  SPINLOCK_RELEASE_COMPLIANCE_CODE,
  SimulationError,
  Verifier,
  irqlUnexpectedP1,
} from './verifier.js';
export type { BugCheckSpec, ReportContext, RuleId, RuleSpec, Severity, VerifierMode, Violation } from './verifier.js';
export { formatReportText, formatReportsJson, hex32, irqlText } from './report.js';
export type { BugCheckReport, IrqlTransitionReport, Report, RoleFrameReport } from './report.js';
export { FAULT_NAMES, faultsFromNames, resolveFaults } from './faults.js';
export type { FaultName, FaultOptions, ResolvedFaults } from './faults.js';
export { RaceDetector, conflicts } from './race.js';
export type { InterleavingStep, RaceAccessReport, RaceReport } from './race.js';
export {
  RandomScheduler,
  ReplayScheduler,
  SCHEDULE_DEVIATIONS_MAX,
  formatSchedule,
  parseSchedule,
} from './scheduler.js';
export type { ChoiceKind, ChoicePoint, Deviation, Schedule, ScheduleStep, Scheduler } from './scheduler.js';
export { Trace, TRACE_EVENTS_DEFAULT, TRACE_EVENTS_MAX } from './trace.js';
export type { TraceEvent, TraceEventKind, TraceOptions, TraceOverview, TraceSnapshot } from './trace.js';
export {
  EXPLORE_BUDGET_DEFAULT,
  EXPLORE_PREEMPTIONS_DEFAULT,
  EXPLORE_RANDOM_PER_MILLE_DEFAULT,
  LOCKSET_RULES,
  SCENARIO_TICKS_DEFAULT,
  explore,
  manifestError,
  replay,
  scenarioSimulation,
} from './explorer.js';
export type {
  ExploreFailure,
  ExploreOptions,
  ExploreProgress,
  ExploreResult,
  ReplayOptions,
  ReplayResult,
  RunTarget,
  Scenario,
} from './explorer.js';
export { TIMELINE_COLORS, renderTimeline } from './timeline.js';
export type { TimelineOptions } from './timeline.js';
