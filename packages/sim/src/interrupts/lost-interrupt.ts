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
import {
  LINE_DPC_ROLE,
  LINE_ISR_ROLE,
  MESSAGE_DPC_ROLE,
  MESSAGE_ISR_ROLE,
  type InterruptTable,
} from './interrupt-table.js';

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
    const race = this.race;
    const change = maskState === undefined ? null : (race?.lastChangeText(maskState) ?? null);
    const site = maskState === undefined ? null : (race?.lastChangeSite(maskState) ?? null);
    const dpcs = this.dpcs;
    const last =
      dpcs.lastDpcCpu < 0
        ? 'no DPC ran yet'
        : `the last DPC, ${dpcs.lastDpc?.name ?? ''}, returned on processor ${dpcs.lastDpcCpu} at tick ${dpcs.lastDpcTick}`;
    // Who left the interrupt masked: an ISR that masked it after the last DPC returned queued no
    // DPC to unmask it; otherwise the last DPC returned without unmasking.
    const isrMasked = site !== null && site.isr && (dpcs.lastDpcCpu < 0 || dpcs.lastDpcTick <= site.tick);
    const dpcRole = object.messageBased ? MESSAGE_DPC_ROLE : LINE_DPC_ROLE;
    const isrRole = object.messageBased ? MESSAGE_ISR_ROLE : LINE_ISR_ROLE;
    // The function blamed, and its declaration: the report names where it is defined (the ISR and
    // the DPC ran and returned long before, and no code of the driver's is running now).
    const blamedDeclaration = isrMasked || dpcs.lastDpc === null ? object.isrDeclaration : dpcs.lastDpc;
    const blamed = isrMasked ? site.fn : (blamedDeclaration?.name ?? '(none)');
    const fix = isrMasked
      ? `${blamed} masked the interrupt at tick ${site.tick} and queued no DPC: an ISR that masks must queue the DPC that unmasks (QueueDefaultInterruptDpc or TargetProcessors)`
      : 'the last DPC of a batch must re-enable interrupts (with NdisMSynchronizeWithInterruptEx)';
    this.sink.report({
      rule: 'INT-LOST',
      subject: isrMasked ? isrRole : dpcRole,
      message:
        `interrupts stay masked while causes 0x${causes.toString(16).padStart(8, '0')} are pending and no DPC is queued: ${last}` +
        `${change === null ? '' : `; the mask last changed with ${change}`}. No interrupt will announce the pending work; ${fix}`,
      p2: causes,
      p3: object.id,
      site: 'masked',
      function: blamed,
      ...(blamedDeclaration !== null && blamedDeclaration.name === blamed ? { declared: blamedDeclaration.impl } : {}),
      ...(race !== null ? { interleaving: race.interleaving(0) } : {}),
    });
  }
}
