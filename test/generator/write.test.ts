import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyWrite,
  generatedMark,
  planWrite,
  realFs,
  WriteError,
  type WriterFs,
} from '../../generator/src/write/write.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ddikit-write-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under dir with its bytes, for before/after comparison. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const name of readdirSync(join(root, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (fs.statSync(join(root, rel)).isDirectory()) walk(rel);
      else out[rel] = readFileSync(join(root, rel), 'utf8');
    }
  };
  walk('');
  return out;
}

const header = `// ${generatedMark} from spec/a.yaml.\n`;

function seed(): void {
  mkdirSync(join(dir, 'src/generated'), { recursive: true });
  writeFileSync(join(dir, 'src/generated/a.ts'), `${header}export const a = 1;\n`);
  writeFileSync(join(dir, 'src/generated/b.ts'), `${header}export const b = 1;\n`);
  writeFileSync(join(dir, 'src/generated/old.ts'), `${header}export const old = 1;\n`);
  writeFileSync(join(dir, 'src/generated/mine.ts'), `export const hand = 'written';\n`);
}

const next = [
  { path: 'src/generated/a.ts', content: `${header}export const a = 2;\n` },
  { path: 'src/generated/b.ts', content: `${header}export const b = 1;\n` },
  { path: 'src/generated/c.ts', content: `${header}export const c = 3;\n` },
  { path: 'include/h.h', content: `/* ${generatedMark} */\n` },
];

describe('planWrite', () => {
  it('sorts outputs into changed, unchanged and stale, and never counts a hand-written file as stale', () => {
    seed();
    const plan = planWrite(dir, next, ['src/generated', 'include']);
    expect(plan.changed.map((f) => f.path)).toEqual(['src/generated/a.ts', 'src/generated/c.ts', 'include/h.h']);
    expect(plan.unchanged).toEqual(['src/generated/b.ts']);
    expect(plan.stale).toEqual(['src/generated/old.ts']);
  });
});

describe('applyWrite', () => {
  it('writes changed files, removes stale ones, leaves the rest and hand-written files alone', () => {
    seed();
    const result = applyWrite(planWrite(dir, next, ['src/generated', 'include']));
    expect(result).toEqual({
      written: ['include/h.h', 'src/generated/a.ts', 'src/generated/c.ts'],
      unchanged: ['src/generated/b.ts'],
      removed: ['src/generated/old.ts'],
    });
    expect(snapshot(dir)).toEqual({
      'include/h.h': next[3]!.content,
      'src/generated/a.ts': next[0]!.content,
      'src/generated/b.ts': next[1]!.content,
      'src/generated/c.ts': next[2]!.content,
      'src/generated/mine.ts': `export const hand = 'written';\n`,
    });
  });

  it('a second run with the same outputs changes nothing', () => {
    seed();
    applyWrite(planWrite(dir, next, ['src/generated', 'include']));
    const plan = planWrite(dir, next, ['src/generated', 'include']);
    expect(plan.changed).toEqual([]);
    expect(plan.stale).toEqual([]);
  });

  /** Counts the calls of each kind and fails the n-th call of one kind. */
  function faulty(
    kind: 'writeFileSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync',
    failAt: number,
    code: string,
  ): WriterFs & { calls: number } {
    let calls = 0;
    const wrapped = { ...realFs, calls: 0 } as WriterFs & { calls: number };
    const original = realFs[kind] as (...args: unknown[]) => unknown;
    (wrapped as unknown as Record<string, unknown>)[kind] = (...args: unknown[]) => {
      calls++;
      wrapped.calls = calls;
      if (calls === failAt) {
        const error = new Error(`${code}: injected`) as NodeJS.ErrnoException;
        error.code = code;
        throw error;
      }
      return original.apply(fs, args);
    };
    return wrapped;
  }

  for (const [kind, code] of [
    ['writeFileSync', 'ENOSPC'],
    ['writeFileSync', 'EACCES'],
    ['renameSync', 'EACCES'],
    ['renameSync', 'EPERM'],
    ['mkdirSync', 'EACCES'],
  ] as const) {
    it(`a ${code} at every ${kind} leaves the previous output byte-identical and names the file`, () => {
      seed();
      const before = snapshot(dir);
      // Count the calls of a clean run, then fail each one in turn.
      const probe = mkdtempSync(join(tmpdir(), 'ddikit-probe-'));
      try {
        fs.cpSync(dir, probe, { recursive: true });
        const counter = faulty(kind, Number.POSITIVE_INFINITY, code);
        applyWrite(planWrite(probe, next, ['src/generated', 'include']), counter);
        expect(counter.calls).toBeGreaterThan(0);
        for (let failAt = 1; failAt <= counter.calls; failAt++) {
          const plan = planWrite(dir, next, ['src/generated', 'include']);
          let thrown: unknown;
          try {
            applyWrite(plan, faulty(kind, failAt, code));
          } catch (error) {
            thrown = error;
          }
          expect(thrown, `call ${failAt} of ${kind}`).toBeInstanceOf(WriteError);
          expect((thrown as WriteError).message).toMatch(new RegExp(`(${code}).*nothing was changed`));
          expect(snapshot(dir), `after failing call ${failAt} of ${kind}`).toEqual(before);
        }
      } finally {
        rmSync(probe, { recursive: true, force: true });
      }
    });
  }

  it('leaves no temporary or backup files behind after a success', () => {
    seed();
    applyWrite(planWrite(dir, next, ['src/generated', 'include']));
    const names = Object.keys(snapshot(dir));
    expect(names.filter((n) => n.includes('.ddikit-'))).toEqual([]);
    expect(existsSync(join(dir, 'src/generated/old.ts'))).toBe(false);
  });
});
