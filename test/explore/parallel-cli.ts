/**
 * What the `--workers` and `--shard` tests share: the command run in this process as the CLI runs it,
 * the drivers they run, and the explorations both compare with one thread's output.
 */
import '../built-harness.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runExplore, type ExploreIo } from '../../generator/src/cli/commands/explore.js';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const LOST = join(root, 'examples/scenarios/lost-interrupt.ts');
export const FIXED = join(root, 'examples/scenarios/lost-interrupt-fixed.ts');
export const MISBEHAVING = join(root, 'test/cli/fixtures/misbehaving.ts');
export const UNEVEN = join(root, 'test/cli/fixtures/uneven.ts');

export interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ddikit COMMAND ARGS` in folder `cwd`; its exit code and what it printed. */
export async function ddikit(command: 'explore' | 'simulate', args: string[], cwd: string): Promise<Output> {
  let stdout = '';
  let stderr = '';
  const io: ExploreIo = {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
    progress: false,
  };
  const code = await (command === 'explore' ? runExplore : runSimulate)(args, io);
  return { code, stdout, stderr };
}

export const explorations: { given: string; args: string[]; code: number }[] = [
  { given: 'the lost interrupt (a failure, shrunk)', args: [LOST], code: 1 },
  { given: 'the fixed driver (systematic, then random schedules)', args: [FIXED, '--budget', '700'], code: 0 },
  { given: 'a budget that ends inside level 1 (a race)', args: [LOST, '--preemptions', '1', '--budget', '3'], code: 1 },
  {
    // The search without arrivals sees the warning first and is dropped for one with arrivals, which must see it too.
    given: 'a warning in every run, a DDI called after some runs ended (arrivals)',
    args: [MISBEHAVING, '--export', 'lateSometimes', '--budget', '300'],
    code: 1,
  },
];
