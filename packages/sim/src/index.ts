/** @ddikit/sim: the runtime harness. Re-exports only. */
export { createSimulation, Simulation, RUN_TICKS_MAX } from './simulation.js';
export type { SimulationOptions, RunOptions, RunResult, RunStats } from './simulation.js';
export { defineMiniport, isMiniportDefinition, setMiniportAdapterContext } from './miniport.js';
export type { MiniportDefinition, MiniportHandlers } from './miniport.js';
export { REGISTER_REMOVED_VALUE } from './device.js';
export type { Device, DeviceHost, DeviceInterrupts, DeviceRegister } from './device.js';
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
export { Adapter, InterruptObject, Interrupts, DPC_DRAIN_MAX, MESSAGES_MAX } from './interrupt.js';
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
