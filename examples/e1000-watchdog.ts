/**
 * examples/e1000-line.ts with its watchdog on, as real miniports keep one: MiniportInitializeEx
 * allocates a timer object (NdisAllocateTimerObject) and sets it to expire every millisecond
 * (NdisSetTimerObject); its NDIS_TIMER_FUNCTION runs at DISPATCH_LEVEL — beside the DPC, on another
 * processor — and takes the RX lock the DPC takes around what both touch; MiniportHaltEx cancels the
 * timer at PASSIVE_LEVEL, then frees it. examples/c/e1000-watchdog.c is the same driver in C, and
 * runs with the same statistics.
 *
 * Run: ddikit simulate examples/e1000-watchdog.ts --ticks 200000
 * Explore: ddikit explore examples/e1000-watchdog.ts (each schedule 2.5 ms: the watchdog runs twice)
 */
import type { Scenario } from '@ddikit/sim';
import { e1000LineDriver } from './e1000-line.js';

export default e1000LineDriver({ watchdog: 1 });

/** What `ddikit explore` runs: long enough for the timer to expire (at 1 and 2 ms). */
export const scenario: Scenario = { ticks: 25_000 };
