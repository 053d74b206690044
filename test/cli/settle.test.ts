/**
 * What `ddikit simulate` and `ddikit explore` let run after a chunk of runs (settle.ts): everything
 * a driver can leave behind to run at once — promise chains, immediates, timers of 0 ms (unref'd
 * too, from any timers module), and what those set in turn — and no more than two generations of
 * timers. The watch probe says the thread is settling meanwhile, so a hang there is reported as one.
 */
import { setTimeout as timersSetTimeout } from 'node:timers';
import { describe, expect, it } from 'vitest';
import { settleSince, timersMade } from '../../generator/src/cli/commands/settle.js';
import {
  PHASE_RUNNING,
  PHASE_SETTLING,
  readWatch,
  watchBuffer,
  WatchProbe,
} from '../../generator/src/cli/commands/watch-probe.js';

const probe = (): { probe: WatchProbe; buffer: SharedArrayBuffer } => {
  const buffer = watchBuffer();
  const p = new WatchProbe(buffer, () => '');
  p.loaded();
  return { probe: p, buffer };
};

describe('settling after the runs', () => {
  it('runs promise chains, immediates, timers of 0 ms (unref’d, node:timers) and what they set', async () => {
    const ran: string[] = [];
    const { probe: p } = probe();
    const mark = timersMade();
    void Promise.resolve()
      .then(() => undefined)
      .then(() => ran.push('promise chain'));
    setImmediate(() => ran.push('immediate'));
    setTimeout(() => ran.push('timer'), 0).unref();
    timersSetTimeout(() => ran.push('node:timers timer'), 0);
    void Promise.resolve().then(() => setTimeout(() => ran.push('timer a promise set'), 0));
    setTimeout(() => setTimeout(() => ran.push('timer a timer set'), 0), 0);
    await settleSince(mark, p);
    expect(ran.sort()).toEqual(
      ['immediate', 'node:timers timer', 'promise chain', 'timer', 'timer a promise set', 'timer a timer set'].sort(),
    );
  });

  it('an unref’d timer alone still gets its turn (the hook counts it; the event loop would not)', async () => {
    const ran: string[] = [];
    const { probe: p } = probe();
    const mark = timersMade();
    setTimeout(() => ran.push('unref’d'), 0).unref();
    await settleSince(mark, p);
    expect(ran).toEqual(['unref’d']);
  });

  it('a promise alone: its chain ran, and no timer turn was needed to see it', async () => {
    const ran: string[] = [];
    const { probe: p } = probe();
    const mark = timersMade();
    void Promise.resolve().then(() => Promise.resolve().then(() => ran.push('deep promise')));
    await settleSince(mark, p);
    expect(ran).toEqual(['deep promise']);
    // Nothing the test left made a timer or an immediate but settleSince itself.
    expect(timersMade() - mark).toBe(1);
  });

  it('waits for two generations of timers, not for a chain of them', async () => {
    // A chain of five timers of 0 ms, each set by the one before. Settling takes two timer turns
    // after the check phase; on a busy machine the event loop may run the first generation before
    // that phase, so a third can come in the second turn — never more.
    const ran: number[] = [];
    const { probe: p } = probe();
    const mark = timersMade();
    const generation = (n: number): void => {
      ran.push(n);
      if (n < 5) setTimeout(() => generation(n + 1), 0);
    };
    setTimeout(() => generation(1), 0);
    await settleSince(mark, p);
    expect(ran.slice(0, 2)).toEqual([1, 2]);
    expect(ran.length).toBeLessThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ran).toEqual([1, 2, 3, 4, 5]);
  });

  it('the watch probe says settling while the leftovers run, and running again after', async () => {
    const { probe: p, buffer } = probe();
    const phases: number[] = [];
    const mark = timersMade();
    setTimeout(() => phases.push(readWatch(buffer).phase), 0);
    await settleSince(mark, p);
    expect(phases).toEqual([PHASE_SETTLING]);
    expect(readWatch(buffer).phase).toBe(PHASE_RUNNING);
  });
});
