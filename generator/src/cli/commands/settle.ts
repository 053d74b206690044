/**
 * Letting what a driver left behind run, after its runs: `ddikit simulate` and `ddikit explore` do
 * so after each chunk of runs, and a DDI called then is a late call of the run that left it.
 *
 * What runs: the promise chains and immediates the runs left, then up to two turns of timers of
 * 0 ms — what they set, and what those set in turn. The timer turns cost about a millisecond each
 * (a timer of 0 ms waits one), so they are taken only when something the runs left (or what ran of
 * it) made a timer or an immediate: a hook counts every one made in this thread, unref'd ones too.
 * A driver that leaves nothing behind costs one turn of the event loop's check phase. Which late
 * calls a run has does not depend on the runs that shared its settle: the turns a run's own
 * leftovers need are taken whenever it left any. Both commands word a run's late calls alike
 * (`lateCallText`).
 */
import { createHook } from 'node:async_hooks';
import type * as SimModule from '@ddikit/sim';
import type { LateCallInfo } from '@ddikit/sim';
import { plural } from '../print.js';
import type { WatchProbe } from './watch-probe.js';

let made = 0;
let counting = false;
const hook = createHook({
  init(_asyncId, type) {
    if (type === 'Timeout' || type === 'Immediate') made++;
  },
});

/** Timers and immediates made in this thread so far (counted from the first call on). */
export function timersMade(): number {
  if (!counting) {
    hook.enable();
    counting = true;
  }
  return made;
}

/** Timer turns at most: a timer of 0 ms, and one it sets (as before, for `ddikit simulate`). */
const TIMER_TURNS = 2;

/**
 * Lets what the runs since `mark` (timersMade() before them) left behind run, see the module comment;
 * the probe says so meanwhile (a timer that never returns is then reported as one, not as a run).
 */
export async function settleSince(mark: number, probe: WatchProbe): Promise<void> {
  probe.settling();
  try {
    await leftBehind(mark);
  } finally {
    probe.running();
  }
}

async function leftBehind(mark: number): Promise<void> {
  const left = made - mark;
  // The check phase comes after every microtask (whole promise chains) and runs the immediates made before ours.
  const before = made;
  await new Promise<void>((resolve) => setImmediate(resolve));
  // Ours is one of them.
  let pending = left + (made - before - 1);
  for (let turn = 0; turn < TIMER_TURNS && pending > 0; turn++) {
    const start = made;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    pending = made - start - 1;
  }
}

/** What both commands print for a run's late calls: a DDI and where, and how many more places. */
export function lateCallText(sim: typeof SimModule, late: LateCallInfo): string {
  const at = late.driverFrames.length > 0 ? ` at ${sim.frameText(late.driverFrames[0]!)}` : '';
  const more: string[] = [];
  if (late.places > 1) more.push(`and from ${plural(late.places - 1, 'more place')}`);
  // A run keeps LATE_CALLS_MAX of its late calls: at that many, there may be more places.
  if (late.capped) more.push(`${sim.LATE_CALLS_MAX} late calls or more`);
  const also = more.length > 0 ? ` (${more.join('; ')})` : '';
  return `${late.ddi} was called after the run ended${at}, from a timer or a promise the driver left behind${also}; NDIS calls must end before MiniportHaltEx returns`;
}
