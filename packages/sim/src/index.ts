/** @ddikit/sim: the runtime harness. Re-exports only. */
export { createSimulation, LATE_CALLS_MAX, Simulation } from './simulation/simulation.js';
export type { LateCall } from './simulation/simulation.js';
export { DriverError } from './simulation/driver-error.js';
export { DRIVER_FRAMES_MAX, currentDriverFrames, driverFrames, frameText } from './simulation/driver-frames.js';
export type { DriverFrame } from './simulation/driver-frames.js';
export { originalPosition } from './simulation/script-source-map.js';
export type { OriginalPosition, ScriptSource } from './simulation/script-source-map.js';
export type { RunProbe } from './core/probe.js';
export { RUN_TICKS_MAX } from './simulation/options.js';
export type { SimulationOptions, RunOptions, RunResult, RunStats } from './simulation/options.js';
export { defineMiniport, isMiniportDefinition, setMiniportAdapterContext } from './ndis/miniport.js';
export type { MiniportDefinition, MiniportHandlers, MiniportRoles } from './ndis/miniport.js';
export { REGISTER_REMOVED_VALUE } from './device/device.js';
export type {
  Device,
  DeviceHost,
  DeviceInterrupts,
  DeviceRegister,
  FrameCounts,
  RegisterEffect,
  RegisterReadEffect,
  RegisterWriteEffect,
} from './device/device.js';
export {
  ArrayBufferBacking,
  DMA_BASE_ADDRESS,
  DMA_PAGE_BYTES,
  DmaSpace,
  SHARED_MEMORY_BYTES_DEFAULT,
  SharedMemory,
} from './device/shared-memory.js';
export type { DeviceDma, DmaMapping, SharedMemoryBacking, SharedMemoryBlock } from './device/shared-memory.js';
export { RegisterHandle } from './ndis/register-window.js';
export { SimResources, resourcesOf } from './ndis/resources.js';
export type { DeviceRegisterNames, E1000Resources, Registers } from './ndis/resources.js';
export { E1000Nic } from './device/e1000/e1000-nic.js';
export { NIC_DEFAULTS } from './device/e1000/e1000-options.js';
export type { NicConfig, NicOptions } from './device/e1000/e1000-options.js';
export type { NicStats } from './device/e1000/e1000-stats.js';
export * as e1000 from './device/e1000/e1000.js';
export { Prng } from './core/prng.js';
export {
  Clock,
  DEFAULT_BUDGETS,
  DEFAULT_COSTS,
  TICK_NANOSECONDS,
  TICKS_PER_MICROSECOND,
  formatTicks,
  microsecondsToTicks,
  ticksToMicroseconds,
} from './core/time.js';
export type { CostModel, TimeBudgets } from './core/time.js';
export { IrqlEngine, Processor, PROCESSORS_MAX } from './kernel/irql.js';
export { SpinLocks, SpinLockState, HELD_LOCKS_MAX, LOCK_NAME_LENGTH_MAX, namedSpinLock } from './kernel/spinlock.js';
export { Adapter } from './ndis/adapter.js';
export { InterruptObject, MESSAGES_MAX } from './interrupts/interrupt-object.js';
export type { InterruptOptions, InterruptStats } from './interrupts/interrupt-object.js';
export { Interrupts } from './interrupts/interrupts.js';
export { DPC_DRAIN_MAX } from './interrupts/dpc-queues.js';
export { CHOICE_ALTERNATIVES_MAX, SCHEDULE_NESTING_MAX } from './interrupts/choice-points.js';
export { RoleMonitor, ROLE_FRAMES_MAX } from './kernel/role-monitor.js';
export { MODELED_DDIS, NdisTable, STALL_MICROSECONDS_MAX, UnmodeledDdiError } from './ndis/ndis-ddis.js';
export { NdisTimer, TIMER_OBJECTS_MAX, Timers } from './ndis/timers.js';
export type { DdiImplementation } from './ndis/ndis-ddis.js';
export {
  BUG_CHECKS,
  DDIKIT_P1,
  RULE_IDS,
  RULES,
  SPINLOCK_RELEASE_COMPLIANCE_CODE,
  irqlUnexpectedP1,
} from './verifier/rule-table.js';
export type { BugCheckSpec, RuleId, RuleSpec, Severity } from './verifier/rule-types.js';
export type { Violation } from './verifier/violation-sink.js';
export { BugCheck, REPORTS_MAX, SimulationError, Verifier } from './verifier/verifier.js';
export type { ReportContext, VerifierMode } from './verifier/verifier.js';
export { formatReportText, formatReportsJson, hex32, irqlText } from './verifier/report-text.js';
export type {
  BugCheckReport,
  InterleavingStep,
  IrqlTransitionReport,
  RaceAccessReport,
  RaceReport,
  Report,
  RoleFrameReport,
  SourceFrameReport,
} from './verifier/report-types.js';
export { ALL_FAULTS, FAULT_NAMES, faultsFromNames, resolveFaults } from './schedule/faults.js';
export type { FaultName, FaultOptions, ResolvedFaults } from './schedule/faults.js';
export { RaceDetector } from './race/race-detector.js';
export { REACHABLE_ELEMENTS_MAX, REACHABLE_OBJECTS_MAX } from './race/shared-fields.js';
export { conflicts } from './race/access.js';
export {
  RandomScheduler,
  ReplayScheduler,
  SCHEDULE_DEVIATIONS_MAX,
  formatSchedule,
  parseSchedule,
} from './schedule/scheduler.js';
export type { ChoiceKind, ChoicePoint, Deviation, Schedule, ScheduleStep, Scheduler } from './schedule/scheduler.js';
export { LOCKSET_RULES } from './verifier/rule-table.js';
export { Trace, TRACE_EVENTS_DEFAULT, TRACE_EVENTS_MAX } from './core/trace.js';
export type { TraceEvent, TraceEventKind, TraceOptions, TraceOverview, TraceSnapshot } from './core/trace.js';
export {
  EXPLORE_BUDGET_DEFAULT,
  EXPLORE_PREEMPTIONS_DEFAULT,
  EXPLORE_RANDOM_PER_MILLE_DEFAULT,
  SCENARIO_TICKS_DEFAULT,
  explore,
  exploreSettled,
  finishExploration,
  manifestError,
  replay,
  scenarioSimulation,
  searchExploration,
} from './explore/explorer.js';
export {
  createJobRunner,
  endsSearch,
  jobKey,
  lateCallInfo,
  runJobs,
  runJobsSettled,
} from './explore/search-jobs.js';
export type {
  CrashInfo,
  JobRunner,
  JobRunnerOptions,
  LateCallInfo,
  RandomJob,
  RunSummary,
  ScheduleJob,
  SearchJob,
} from './explore/search-jobs.js';
export { driveSearch } from './explore/schedule-search.js';
export type { ExploreShard, Search } from './explore/schedule-search.js';
export type {
  ExploreCrash,
  ExplorationSettings,
  Exploration,
  ExploreFailure,
  ExploreLateCall,
  ExploreOptions,
  ExploreProgress,
  ExploreResult,
  ReplayOptions,
  ReplayResult,
  RunTarget,
  Scenario,
} from './explore/explorer.js';
export { TIMELINE_COLORS, renderTimeline } from './timeline/timeline.js';
export type { TimelineOptions } from './timeline/timeline.js';
