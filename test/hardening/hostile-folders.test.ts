/**
 * Hostile folders, one table per input path: the spec folder (--spec), the reference pages of
 * import-docs, and the output folders. Each case runs the real command line, the built `ddikit`
 * (checked current with the sources, built-harness.ts), as a process of its own with a timeout, so a
 * case that used to hang or exhaust memory fails cleanly.
 */
import '../built-harness.js';
import { spawnSync, execFileSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../generator/src/cli/io.js';
import { main } from '../../generator/src/cli/main.js';
import { bundled } from '../../generator/src/paths.js';
import { baseSpec } from './sample-spec.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `ddikit ARGS` in `cwd`, killed after `timeoutMs`, with at most 512 MB of heap. */
export function ddikit(args: readonly string[], cwd: string, timeoutMs = 30_000): Run {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--max-old-space-size=512', bin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr + (result.error ? `\n[spawn: ${result.error.message}]` : ''),
    ms: performance.now() - started,
  };
}

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'ddikit-hostile-folders-'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A valid spec folder `s` (one file; the bundled rule table is used), then `hostile` changes it. */
function specFolder(): string {
  const dir = join(work, 's');
  mkdirSync(join(dir, 'ndis'), { recursive: true });
  writeFileSync(join(dir, 'ndis/sample.yaml'), baseSpec);
  writeFileSync(join(work, 'secret.txt'), 'password=hunter2 token=5f2b9c0e7d41a8e6b3c9 do-not-print-this\n');
  return dir;
}

const secret = /hunter2|5f2b9c0e|password=/;

/** The text saved as Latin-1, as an editor set to another encoding would. */
function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

describe('the spec folder: regular files inside it only, read within bounds', () => {
  const cases: {
    what: string;
    hostile: (spec: string) => void;
    want: string;
  }[] = [
    {
      what: 'a .yaml link to /dev/zero',
      hostile: (spec) => symlinkSync('/dev/zero', join(spec, 'ndis/zero.yaml')),
      want: 's/ndis/zero.yaml:1:1 - error DDI1013: s/ndis/zero.yaml is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
    },
    {
      what: 'a .yaml link to a file outside the folder that holds a secret',
      hostile: (spec) => symlinkSync('../../secret.txt', join(spec, 'ndis/secret.yaml')),
      want: 's/ndis/secret.yaml:1:1 - error DDI1013: s/ndis/secret.yaml is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
    },
    {
      what: 'a FIFO named .yaml',
      hostile: (spec) => execFileSync('mkfifo', [join(spec, 'ndis/fifo.yaml')]),
      want: 's/ndis/fifo.yaml:1:1 - error DDI1013: s/ndis/fifo.yaml is not a regular file (a FIFO); only regular files are read. Remove it.',
    },
    {
      what: 'links back to the folder above, three times over',
      hostile: (spec) => {
        for (const name of ['a', 'b', 'c']) symlinkSync('..', join(spec, 'ndis', name));
      },
      want: [
        's/ndis/a:1:1 - error DDI1013: s/ndis/a is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
        's/ndis/b:1:1 - error DDI1013: s/ndis/b is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
        's/ndis/c:1:1 - error DDI1013: s/ndis/c is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
      ].join('\n'),
    },
    {
      what: 'a 600 MB file',
      hostile: (spec) => {
        writeFileSync(join(spec, 'ndis/huge.yaml'), '');
        truncateSync(join(spec, 'ndis/huge.yaml'), 600 * 1024 * 1024);
      },
      want: 's/ndis/huge.yaml:1:1 - error DDI1009: the file is 629145600 bytes, more than the 16777216 a spec file may have. Split it into several files.',
    },
    {
      what: 'invalid UTF-8',
      hostile: (spec) =>
        writeFileSync(join(spec, 'ndis/sample.yaml'), latin1(baseSpec.replace('A sample DDI.', 'A café DDI.'))),
      want: 's/ndis/sample.yaml:38:23 - error DDI1012: the file is not valid UTF-8: the byte 0xE9 here starts no UTF-8 character (a file saved in another encoding?). Save it as UTF-8.',
    },
    {
      what: 'a NUL byte',
      hostile: (spec) =>
        writeFileSync(join(spec, 'ndis/sample.yaml'), baseSpec.replace('A sample DDI.', 'A sample\u0000DDI.')),
      want: 's/ndis/sample.yaml:38:26 - error DDI1012: the file holds a NUL byte here, so it is binary data, not text. Remove the byte, or the file if it is no spec file.',
    },
    {
      what: 'a file name with a line break and an escape sequence',
      hostile: (spec) => writeFileSync(join(spec, 'ndis/evil\n\u001b[2Jname.yaml'), baseSpec),
      want: 's/ndis/evil\\u000a\\u001b[2Jname.yaml:1:1 - error DDI1013: the name "evil\\n\\u001b[2Jname.yaml" holds a control, invisible or bidirectional character (U+000A), which generated files would carry into their comments. Rename it.',
    },
    {
      what: 'folders nested deeper than the bound',
      hostile: (spec) => {
        const deep = join(spec, ...Array.from({ length: 20 }, (_, i) => `d${i}`));
        mkdirSync(deep, { recursive: true });
        writeFileSync(join(deep, 'x.yaml'), baseSpec);
      },
      want: `s/${Array.from({ length: 17 }, (_, i) => `d${i}`).join('/')}:1:1 - error DDI1013: s/${Array.from({ length: 17 }, (_, i) => `d${i}`).join('/')} is nested more than 16 folders deep; it was not read. Move its files up.`,
    },
  ];

  it.each(cases)('$what: a located error, in bounded time, nothing quoted from outside', ({ hostile, want }) => {
    const spec = specFolder();
    hostile(spec);
    const result = ddikit(['validate', '--spec', 's'], work, 20_000);
    const lines = want.split('\n');
    expect(result.stderr).toBe(`${want}\n\nFound ${lines.length} error${lines.length === 1 ? '' : 's'}.\n`);
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(15_000);
    expect(result.stdout + result.stderr).not.toMatch(secret);
  });

  it('generate reads the folder the same way and writes nothing', () => {
    const spec = specFolder();
    symlinkSync('../../secret.txt', join(spec, 'ndis/secret.yaml'));
    const result = ddikit(['generate', '--spec', 's', '--out', 'out'], work);
    expect(result.stderr).toMatch(/^s\/ndis\/secret\.yaml:1:1 - error DDI1013: /);
    expect(result.code).toBe(1);
    expect(() => readFileSync(join(work, 'out/include/ndis_roles.h'))).toThrow();
  });
});

/** The text of a valid reference page, for cases that break it one way. */
function samplePage(): string {
  return readFileSync(join(bundled.root, 'test/golden/import-pages/pages/nf-ndis-ndissampleacquire.md'), 'utf8');
}

/** A pages folder with one valid reference page. */
function pagesFolder(): string {
  const dir = join(work, 'pages');
  mkdirSync(dir);
  cpSync(
    join(bundled.root, 'test/golden/import-pages/pages/nf-ndis-ndissampleacquire.md'),
    join(dir, 'nf-ndis-ndissampleacquire.md'),
  );
  writeFileSync(join(work, 'secret.txt'), 'password=hunter2 token=5f2b9c0e7d41a8e6b3c9 do-not-print-this\n');
  return dir;
}

describe('reference pages: read by the same rules, every diagnostic line short', () => {
  const cases: { what: string; hostile: (pages: string) => void; want: string[]; code: number }[] = [
    {
      what: 'a page that is a link to a secret',
      hostile: (pages) => symlinkSync('../secret.txt', join(pages, 'nf-ndis-secret.md')),
      want: [
        'pages/nf-ndis-secret.md:1:1 - error DDI1013: pages/nf-ndis-secret.md is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.',
      ],
      code: 1,
    },
    {
      what: 'a FIFO page',
      hostile: (pages) => execFileSync('mkfifo', [join(pages, 'nf-ndis-fifo.md')]),
      want: [
        'pages/nf-ndis-fifo.md:1:1 - error DDI1013: pages/nf-ndis-fifo.md is not a regular file (a FIFO); only regular files are read. Remove it.',
      ],
      code: 1,
    },
    {
      what: 'a subfolder of pages',
      hostile: (pages) => {
        mkdirSync(join(pages, 'more'));
        writeFileSync(join(pages, 'more/nf-ndis-more.md'), '---\n---\n');
      },
      want: [
        'pages/more:1:1 - warning DDI3009: pages/more is a folder; import-docs reads the pages of the folder it is given, not of its subfolders. Import it on its own, or move its pages up.',
      ],
      code: 0,
    },
    {
      what: 'a binary page',
      hostile: (pages) =>
        writeFileSync(
          join(pages, 'nf-ndis-image.md'),
          Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1'), Buffer.alloc(4096, 0xab)]),
        ),
      want: [
        'pages/nf-ndis-image.md:1:1 - error DDI1012: the file is not valid UTF-8: the byte 0x89 here starts no UTF-8 character (a file saved in another encoding?). Save it as UTF-8.',
      ],
      code: 1,
    },
    {
      what: 'a page whose IRQL is a 3.4 MB text',
      hostile: (pages) =>
        writeFileSync(
          join(pages, 'nf-ndis-long.md'),
          samplePage()
            .replace('NdisSampleAcquire', 'NdisSampleLong')
            .replace('req.irql: <= DISPATCH_LEVEL', `req.irql: ${'X'.repeat(3_400_000)}`),
        ),
      want: [
        `pages/nf-ndis-long.md:9:11 - warning DDI3004: req.irql "${'X'.repeat(56)}... is no IRQL form the importer reads (such as "<= DISPATCH_LEVEL", "PASSIVE_LEVEL", "Any level" or "See Remarks section"); the contract is recorded as unknown.`,
      ],
      code: 0,
    },
    {
      what: 'a page whose heading holds a 3.4 MB tag',
      hostile: (pages) =>
        writeFileSync(
          join(pages, 'nf-ndis-tag.md'),
          samplePage()
            .replace(/NdisSampleAcquire/g, 'NdisSampleTag')
            .replace(
              '### -param Flags [in, optional]',
              `### -param <b${' x'.repeat(1_700_000)}>Flags</b> [in, optional]`,
            ),
        ),
      want: [
        `pages/nf-ndis-tag.md:26:12 - warning DDI3003: the heading holds markup ("<b${' x'.repeat(27)}...); it was read without it. Headings of reference pages are plain text.`,
      ],
      code: 0,
    },
    {
      what: 'a page of one 3.4 MB line',
      hostile: (pages) => writeFileSync(join(pages, 'nf-ndis-long.md'), 'A'.repeat(3_400_000)),
      want: [
        'pages/nf-ndis-long.md:1:1 - error DDI3001: the page does not start with a "---" line, so it has no front matter (got "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...). A reference page starts with YAML front matter between two "---" lines; the page was skipped.',
      ],
      code: 1,
    },
  ];
  it.each(cases)('$what', ({ hostile, want, code }) => {
    const pages = pagesFolder();
    hostile(pages);
    const result = ddikit(['import-docs', 'pages', '--out', 'out'], work, 20_000);
    const diagnostics = result.stderr.split('\n').filter((line) => /^pages\//.test(line));
    expect(diagnostics).toEqual(want);
    expect(result.code).toBe(code);
    for (const line of result.stderr.split('\n')) expect(line.length).toBeLessThan(400);
    expect(result.stdout + result.stderr).not.toMatch(secret);
  });
});

// ---------------------------------------------------------------------------------------------------
// Output folders: never written through a link, never left half-written, every failure one line.

/** Every path under `root` (folders end in /) with the bytes of each file, links shown as links. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[`${prefix}${name}`] = `-> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[`${prefix}${name}/`] = '';
        walk(path, `${prefix}${name}/`);
      } else if (stat.isFile()) out[`${prefix}${name}`] = readFileSync(path, 'utf8');
      else out[`${prefix}${name}`] = '(not a regular file)';
    }
  };
  walk(root, '');
  return out;
}

describe('generate --out: a link or a file where a folder belongs is refused, and nothing outside is touched', () => {
  const generated = '<!-- @generated by ddikit 0.0.1 from spec/ndis/x.yaml with template md/role.md. -->\n';
  const cases: { what: string; hostile: () => void; want: string; untouched: string }[] = [
    {
      what: 'the reference folder is a link to a folder outside',
      hostile: () => {
        mkdirSync(join(work, 'elsewhere'));
        writeFileSync(join(work, 'elsewhere/victim.md'), generated);
        mkdirSync(join(work, 'out'));
        symlinkSync('../elsewhere', join(work, 'out/docs'));
      },
      want: 'ddikit: cannot write out/docs: it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.\n',
      untouched: 'elsewhere',
    },
    {
      what: 'a link inside a generated folder points at another generated folder',
      hostile: () => {
        expect(ddikit(['generate', '--spec', 's', '--out', 'out'], work).code).toBe(0);
        symlinkSync('../../include', join(work, 'out/docs/reference/sub'));
      },
      want: 'ddikit: cannot write out/docs/reference/sub: it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.\n',
      untouched: 'out',
    },
    {
      what: 'a generated file is a link to a file outside',
      hostile: () => {
        expect(ddikit(['generate', '--spec', 's', '--out', 'out'], work).code).toBe(0);
        writeFileSync(join(work, 'secret.txt'), 'mine\n');
        rmSync(join(work, 'out/include/ndis_roles.h'));
        symlinkSync('../../secret.txt', join(work, 'out/include/ndis_roles.h'));
      },
      want: 'ddikit: cannot write out/include/ndis_roles.h: it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.\n',
      untouched: 'out',
    },
    {
      what: '--out names a regular file',
      hostile: () => writeFileSync(join(work, 'out'), 'a file\n'),
      want: 'ddikit: cannot write out: it is a file, not a folder; nothing was changed.\n',
      untouched: '.',
    },
    {
      what: 'an output subfolder was replaced by a plain file',
      hostile: () => {
        expect(ddikit(['generate', '--spec', 's', '--out', 'out'], work).code).toBe(0);
        rmSync(join(work, 'out/include'), { recursive: true });
        writeFileSync(join(work, 'out/include'), 'a file\n');
      },
      want: 'ddikit: cannot write out/include: it is a file, not a folder; nothing was changed.\n',
      untouched: 'out',
    },
    {
      what: 'a FIFO where a generated file belongs',
      hostile: () => {
        expect(ddikit(['generate', '--spec', 's', '--out', 'out'], work).code).toBe(0);
        rmSync(join(work, 'out/include/ndis_roles.h'));
        execFileSync('mkfifo', [join(work, 'out/include/ndis_roles.h')]);
      },
      want: 'ddikit: cannot write out/include/ndis_roles.h: it is not a regular file (a FIFO); nothing was changed. Remove it.\n',
      untouched: 'out',
    },
  ];
  it.each(cases)('$what', ({ hostile, want, untouched }) => {
    specFolder();
    hostile();
    const before = untouched === '.' ? { out: readFileSync(join(work, 'out'), 'utf8') } : tree(join(work, untouched));
    const result = ddikit(['generate', '--spec', 's', '--out', 'out'], work, 20_000);
    expect(result.stderr).toBe(want);
    expect(result.code).toBe(1);
    const after = untouched === '.' ? { out: readFileSync(join(work, 'out'), 'utf8') } : tree(join(work, untouched));
    expect(after).toEqual(before);
  });
});

describe('scaffold --force keeps every earlier version', () => {
  it('numbers the backups: FILE.bak, FILE.1.bak, FILE.2.bak', () => {
    specFolder();
    const args = ['scaffold', '--spec', 's', '--role', 'SAMPLE_CALLBACK:ContosoCallback', '--out', 'drv', '--force'];
    expect(ddikit(args, work).code).toBe(0);
    const versions = ['/* edit 1 */\n', '/* edit 2 */\n', '/* edit 3 */\n'];
    const outputs: string[] = [];
    for (const edit of versions) {
      writeFileSync(join(work, 'drv/contosocallback.c'), edit);
      const run = ddikit(args, work);
      expect(run.code).toBe(0);
      outputs.push(run.stdout);
    }
    expect(outputs[2]).toContain('kept  drv/contosocallback.c.2.bak\n');
    const files = tree(join(work, 'drv'));
    expect(files['contosocallback.c.bak']).toBe(versions[0]);
    expect(files['contosocallback.c.1.bak']).toBe(versions[1]);
    expect(files['contosocallback.c.2.bak']).toBe(versions[2]);
    expect(files['contosocallback.c']).toContain('ContosoCallback(');
  });
});

describe('simulate and explore --timeline: a page that cannot be written is one line, and the report is kept', () => {
  async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { cwd: work, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
    return { code: await main(args, io), stdout, stderr };
  }
  const clean = join(bundled.root, 'examples/e1000-line.ts');
  const lost = join(bundled.root, 'examples/scenarios/lost-interrupt.ts');
  const cases: { what: string; setup: () => void; args: string[]; want: string; code: number; report: RegExp }[] = [
    {
      what: 'simulate, to a folder',
      setup: () => mkdirSync(join(work, 'page.html')),
      args: ['simulate', clean, '--ticks', '2000', '--timeline', 'page.html'],
      want: 'ddikit: cannot write page.html: it is a folder; nothing was changed.\n',
      code: 1,
      report: /^ddikit simulate: e1000-line .*\nNo violations\.\n$/s,
    },
    {
      what: 'simulate, into a folder that does not exist',
      setup: () => undefined,
      args: ['simulate', clean, '--ticks', '2000', '--timeline', 'missing/page.html'],
      want: 'ddikit: cannot write missing/page.html: its folder does not exist (ENOENT); nothing was changed.\n',
      code: 1,
      report: /^ddikit simulate: e1000-line .*\nNo violations\.\n$/s,
    },
    {
      what: 'explore, to a folder',
      setup: () => mkdirSync(join(work, 'page.html')),
      args: ['explore', lost, '--timeline', 'page.html'],
      want: 'ddikit: cannot write page.html: it is a folder; nothing was changed.\n',
      code: 1,
      report: /^ddikit explore: lost-interrupt .*\nReplay: ddikit explore /s,
    },
  ];
  it.each(cases)('$what', async ({ setup, args, want, code, report }) => {
    setup();
    const result = await inProcess(args);
    expect(result.stderr).toBe(want);
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(report);
    expect(result.stdout).not.toContain('Timeline:');
    expect(readdirSync(work).filter((name) => name.includes('.ddikit-'))).toEqual([]);
  });
});
