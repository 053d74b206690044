/**
 * INT-LOST, checked where the run loop finds nothing to do: no interrupt to deliver, no DPC to run.
 * If the device then holds causes the driver enabled but has masked, nothing will ever announce them:
 * interrupts were left masked after the last DPC. Reported once per run. Owns: whether it was.
 */
import type { Device } from '../device/device.js';
import type { RaceDetector } from '../race/race-detector.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import type { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import { LINE_DPC_ROLE, MESSAGE_DPC_ROLE, type InterruptTable } from './interrupt-table.js';

export class LostInterruptCheck {
  private reported = false;
  private readonly checks: boolean;
  private readonly device: Device;
  private readonly race: RaceDetector | null;
  private readonly sink: ViolationSink;

  constructor(
    deps: InterruptDeps,
    private readonly table: InterruptTable,
    private readonly dpcs: DpcQueues,
  ) {
    this.checks = deps.checks;
    this.device = deps.device;
    this.race = deps.race;
    this.sink = deps.sink;
  }

  reset(): void {
    this.reported = false;
  }

  /** The run loop found nothing to do: report INT-LOST if the device holds masked work. */
  quiescent(): void {
    if (this.reported || !this.checks) return;
    const object = this.table.active;
    const masked = this.device.maskedPendingCauses;
    if (object === null || masked === undefined || this.dpcs.pendingMask() !== 0) return;
    const causes = masked.call(this.device) >>> 0;
    if (causes === 0 || !this.sink.enabled('INT-LOST')) return;
    this.reported = true;
    const maskState = this.device.interruptMaskState;
    const change = maskState === undefined ? null : (this.race?.lastChangeText(maskState) ?? null);
    const dpcs = this.dpcs;
    const last =
      dpcs.lastDpcCpu < 0
        ? 'no DPC ran yet'
        : `the last DPC, ${dpcs.lastDpcName}, returned on processor ${dpcs.lastDpcCpu} at tick ${dpcs.lastDpcTick}`;
    const dpcRole = object.messageBased ? MESSAGE_DPC_ROLE : LINE_DPC_ROLE;
    this.sink.report({
      rule: 'INT-LOST',
      subject: dpcRole,
      message:
        `interrupts stay masked while causes 0x${causes.toString(16).padStart(8, '0')} are pending and no DPC is queued: ${last}` +
        `${change === null ? '' : `; the mask last changed with ${change}`}. No interrupt will announce the pending work; the last DPC of a batch must re-enable interrupts (with NdisMSynchronizeWithInterruptEx)`,
      p2: causes,
      p3: object.id,
      site: 'masked',
      function: dpcs.lastDpcName === '' ? (object.isrDeclaration?.name ?? '(none)') : dpcs.lastDpcName,
      ...(this.race !== null ? { interleaving: this.race.interleaving(0) } : {}),
    });
  }
}
