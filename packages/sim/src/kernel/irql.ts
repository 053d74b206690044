/**
 * Processors and their IRQL. Each simulated processor has a current IRQL (x64 levels: PASSIVE 0,
 * APC 1, DISPATCH 2, device levels 3–12, HIGH 15). Changes follow the kernel's stack discipline: a
 * raise may not go to a lower level and a lower may not go to a higher one (RAISE-LOWER). The last
 * transitions are kept in a fixed ring, like Driver Verifier's IRQL log (`!verifier 0x8`), for reports.
 *
 * The simulation is sequential: one processor executes at a time (`current`); code nested on the
 * JavaScript stack (an ISR preempting a DPC) runs on the same processor.
 */
import { IRQL } from '@ddikit/ndis';
import type { IrqlTransitionReport } from '../verifier/report-types.js';
import type { Clock } from '../core/time.js';
import { TRACE_IRQL, type Trace } from '../core/trace.js';
import type { ViolationSink } from '../verifier/violation-sink.js';

export const PASSIVE_LEVEL = IRQL.PASSIVE_LEVEL;
export const DISPATCH_LEVEL = IRQL.DISPATCH_LEVEL;
export const HIGH_LEVEL = IRQL.HIGH_LEVEL;

/** Most processors a simulation may have (one KAFFINITY word). */
export const PROCESSORS_MAX = 64;

/** One simulated processor. */
export class Processor {
  readonly index: number;
  /** Current IRQL. */
  irql: number = PASSIVE_LEVEL;
  /** DPCs queued on this processor (kept by interrupts/dpc-queues.ts). */
  dpcCount = 0;
  constructor(index: number) {
    this.index = index;
  }
}

export class IrqlEngine {
  readonly processors: readonly Processor[];
  /** The processor executing now. */
  cpu: Processor;
  /** Set after construction; null runs without checks (verifier off). */
  verifier: ViolationSink | null = null;
  /** Record transitions (off when the verifier is off: nothing would read them). */
  logging = true;
  /** The run's trace, when on (every transition is recorded there too). */
  trace: Trace | null = null;

  private readonly clock: Clock;
  private readonly ringSize: number;
  private readonly ringTick: Float64Array;
  private readonly ringProcessor: Uint8Array;
  private readonly ringFrom: Uint8Array;
  private readonly ringTo: Uint8Array;
  private readonly ringBy: string[];
  private ringNext = 0;
  private ringCount = 0;

  constructor(processorCount: number, transitionsKept: number, clock: Clock) {
    if (!Number.isInteger(processorCount) || processorCount < 1 || processorCount > PROCESSORS_MAX) {
      throw new RangeError(`processors must be an integer in 1..${PROCESSORS_MAX} (got ${String(processorCount)})`);
    }
    if (!Number.isInteger(transitionsKept) || transitionsKept < 1 || transitionsKept > 4096) {
      throw new RangeError(`irqlTransitionsKept must be an integer in 1..4096 (got ${String(transitionsKept)})`);
    }
    const processors: Processor[] = [];
    for (let i = 0; i < processorCount; i++) processors.push(new Processor(i));
    this.processors = processors;
    this.cpu = processors[0]!;
    this.clock = clock;
    this.ringSize = transitionsKept;
    this.ringTick = new Float64Array(transitionsKept);
    this.ringProcessor = new Uint8Array(transitionsKept);
    this.ringFrom = new Uint8Array(transitionsKept);
    this.ringTo = new Uint8Array(transitionsKept);
    this.ringBy = new Array<string>(transitionsKept).fill('');
  }

  get processorCount(): number {
    return this.processors.length;
  }

  reset(): void {
    for (const p of this.processors) {
      p.irql = PASSIVE_LEVEL;
      p.dpcCount = 0;
    }
    this.cpu = this.processors[0]!;
    this.ringNext = 0;
    this.ringCount = 0;
  }

  /**
   * Raises the current processor's IRQL to `to` and returns the previous level. A raise to a lower
   * level is RAISE-LOWER; in collect mode the IRQL is left as it is.
   */
  raise(to: number, by: string): number {
    const cpu = this.cpu;
    const from = cpu.irql;
    if (to < from) {
      if (this.verifier !== null) {
        this.verifier.report({
          rule: 'RAISE-LOWER',
          form: 0,
          subject: by,
          message: `${by} raised IRQL from ${from} to the lower level ${to}`,
          p2: from,
          p3: to,
          irqlFound: from,
          irqlRequired: `>= ${from} (a raise)`,
        });
        return from;
      }
    }
    if (this.logging && to !== from) this.log(cpu.index, from, to, by);
    cpu.irql = to;
    return from;
  }

  /**
   * Lowers the current processor's IRQL to `to`. A lower to a higher level is RAISE-LOWER; in collect
   * mode the IRQL is left as it is.
   */
  lower(to: number, by: string): void {
    const cpu = this.cpu;
    const from = cpu.irql;
    if (to > from) {
      if (this.verifier !== null) {
        this.verifier.report({
          rule: 'RAISE-LOWER',
          form: 1,
          subject: by,
          message: `${by} lowered IRQL from ${from} to the higher level ${to}`,
          p2: from,
          p3: to,
          irqlFound: from,
          irqlRequired: `<= ${from} (a lower)`,
        });
        return;
      }
    }
    if (this.logging && to !== from) this.log(cpu.index, from, to, by);
    cpu.irql = to;
  }

  /** Sets the IRQL without checks (the harness restoring a consistent state). */
  set(to: number, by: string): void {
    const cpu = this.cpu;
    if (cpu.irql === to) return;
    if (this.logging) this.log(cpu.index, cpu.irql, to, by);
    cpu.irql = to;
  }

  private log(processor: number, from: number, to: number, by: string): void {
    const i = this.ringNext;
    this.ringTick[i] = this.clock.nowTicks;
    this.ringProcessor[i] = processor;
    this.ringFrom[i] = from;
    this.ringTo[i] = to;
    this.ringBy[i] = by;
    this.ringNext = i + 1 === this.ringSize ? 0 : i + 1;
    if (this.ringCount < this.ringSize) this.ringCount++;
    const trace = this.trace;
    if (trace !== null) trace.record(this.clock.nowTicks, TRACE_IRQL, processor, to, trace.intern(by), from, 0);
  }

  /** The kept transitions, most recent first. */
  transitions(): IrqlTransitionReport[] {
    const out: IrqlTransitionReport[] = [];
    for (let k = 0; k < this.ringCount; k++) {
      const i = (this.ringNext - 1 - k + this.ringSize * 2) % this.ringSize;
      out.push({
        tick: this.ringTick[i]!,
        processor: this.ringProcessor[i]!,
        from: this.ringFrom[i]!,
        to: this.ringTo[i]!,
        by: this.ringBy[i]!,
      });
    }
    return out;
  }
}
