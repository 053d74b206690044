import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import type { EntryModel, Model } from '../../generator/src/spec/model.js';
import { bundled } from '../../generator/src/paths.js';
import { check } from '../../generator/src/pipeline.js';
import {
  docsDir,
  escapeTableCell,
  exampleFunctionName,
  firstSentence,
} from '../../generator/src/render/reference-pages.js';
import { provenanceLine } from '../../generator/src/render/output.js';
import { generatorVersion } from '../../generator/src/version.js';
import { render } from '../../generator/src/render/render.js';
import { RULE_IDS } from '@ddikit/sim';
import { scaffold } from '../../generator/src/render/scaffold.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import type { SpecSource } from '../../generator/src/spec/load.js';
import { readSchema } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);
const ddiDocsDir = join(bundled.root, '..', 'shared', 'ddi-docs', 'ndis');

interface Generated {
  model: Model;
  /** Page file name under docs/reference → content. */
  pages: Map<string, string>;
}

function generateFrom(sources: readonly SpecSource[]): Generated {
  const result = check(sources, { schema });
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  const model = result.model!;
  const pages = new Map<string, string>();
  for (const file of render(model, { templatesDir: bundled.templatesDir })) {
    if (file.path.startsWith(`${docsDir}/`)) pages.set(file.path.slice(docsDir.length + 1), file.content);
  }
  return { model, pages };
}

let cached: Generated | undefined;
function bundledDocs(): Generated {
  cached ??= generateFrom(readSpecSources(bundled.specDir, bundled.root));
  return cached;
}

/** The template of an entry's own page: md/role.md, md/function.md or md/type.md. */
function pageTemplate(model: Model, page: string): string {
  const entry = [...model.roles, ...model.functions, ...model.types].find((e) => `${e.stem}.md` === page);
  if (entry === undefined) throw new Error(`no entry has the page ${page}`);
  return entry.kind === 'role' ? 'md/role.md' : entry.kind === 'function' ? 'md/function.md' : 'md/type.md';
}

function page(name: string): string {
  const content = bundledDocs().pages.get(name);
  if (content === undefined) throw new Error(`no page ${name}`);
  return content;
}

/** The cells of a Markdown table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('reference pages of the bundled spec', () => {
  it('writes one page per role, function, structure and enumeration, plus types.md and README.md', () => {
    const { model, pages } = bundledDocs();
    const expected = [
      ...model.roles.map((r) => r.stem),
      ...model.functions.map((f) => f.stem),
      ...model.types.filter((t) => t.typeKind === 'struct' || t.typeKind === 'enum').map((t) => t.stem),
    ].map((stem) => `${stem}.md`);
    expect(model.roles.length).toBeGreaterThanOrEqual(12);
    expect([...pages.keys()].sort()).toEqual([...expected, 'README.md', 'types.md'].sort());
    expect(new Set(expected).size).toBe(expected.length);
  });

  it('starts every page with the provenance comment and keeps the bytes tidy', () => {
    const { model, pages } = bundledDocs();
    for (const [name, content] of pages) {
      const template =
        name === 'README.md' ? 'md/index.md' : name === 'types.md' ? 'md/types.md' : pageTemplate(model, name);
      expect(content.startsWith(`<!-- ${provenanceLine(model, generatorVersion(), template)} -->\n`), name).toBe(true);
      expect(content.endsWith('\n') && !content.endsWith('\n\n'), name).toBe(true);
      expect(content, name).not.toMatch(/\r|[ \t]+$|\n\n\n/m);
    }
  });

  it('renders the same bytes every time', () => {
    const again = generateFrom(readSpecSources(bundled.specDir, bundled.root));
    expect([...again.pages]).toEqual([...bundledDocs().pages]);
  });

  it('points every relative link at a generated page, and every anchor at an id on it', () => {
    const { pages } = bundledDocs();
    let checked = 0;
    const broken: string[] = [];
    for (const [name, content] of pages) {
      for (const match of content.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        checked++;
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const linked = pages.get(file.replace(/^\.\//, ''));
        if (!file.startsWith('./') || linked === undefined) broken.push(`${name}: ${target}`);
        else if (anchor !== undefined && !linked.includes(`<a id="${anchor}"></a>`))
          broken.push(`${name}: ${target} (no anchor)`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('shows every role and DDI prototype exactly as the generated C header declares it', () => {
    const { model, pages } = bundledDocs();
    const header = render(model, { templatesDir: bundled.templatesDir }).find(
      (f) => f.path === 'include/ndis_roles.h',
    )!.content;
    // Entries whose types the spec does not know (imported) have no prototype in the header, nor on the page.
    const entries = [...model.roles, ...model.functions].filter((e) => e.prototype);
    expect(entries.length).toBeGreaterThanOrEqual(25);
    for (const entry of entries) {
      const text = pages.get(`${entry.stem}.md`)!;
      const declarator = entry.kind === 'role' ? `(${entry.variantOf ?? entry.name})` : entry.name;
      const start = text.indexOf(`\n${declarator}(\n`);
      expect(start, entry.name).toBeGreaterThan(0);
      const from = text.lastIndexOf('```c\n', start) + '```c\n'.length;
      const prototype = text.slice(from, text.indexOf('\n    );\n', start) + '\n    );'.length);
      if (entry.kind === 'role') expect(prototype.startsWith('typedef\n_Function_class_('), entry.name).toBe(true);
      expect(prototype.split('\n').length, entry.name).toBeGreaterThanOrEqual(4);
      expect(header, entry.name).toContain(prototype);
    }
  });

  it('links every page from the index, grouped into role types, functions and types', () => {
    const { pages } = bundledDocs();
    const index = page('README.md');
    for (const name of pages.keys()) if (name !== 'README.md') expect(index, name).toContain(`](./${name}`);
    const headings = [...index.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['Role types', 'Functions', 'Types', '<a id="rules"></a>Rules']);
    expect(index).toContain('### Interrupts');
    expect(index).toContain('### Spin locks');
    expect(index).toMatch(
      /^\| \[`MINIPORT_SYNCHRONIZE_INTERRUPT`\]\(\.\/miniport_synchronize_interrupt\.md\) \| `MiniportSynchronizeInterrupt` \| Runs driver code .*\. \|$/m,
    );
  });
});

describe('the MINIPORT_SYNCHRONIZE_INTERRUPT page', () => {
  const text = (): string => page('miniport_synchronize_interrupt.md');
  const role = () => bundledDocs().model.roles.find((r) => r.name === 'MINIPORT_SYNCHRONIZE_INTERRUPT')!;

  it('opens with the title and the kind, header and version', () => {
    expect(text()).toContain(
      '\n# MINIPORT_SYNCHRONIZE_INTERRUPT\n\n**Kind:** function role type · **Header:** `ndis.h` · **Since:** NDIS 6.0\n',
    );
    expect(text()).toMatch(/^<!-- Spec entry: spec\/ndis\/interrupts\.yaml:\d+ -->$/m);
  });

  it('shows the declaration with the conventional name, the prototype, the pointer typedef and the TypeScript signature', () => {
    expect(text()).toContain('```c\nMINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;\n```');
    expect(text()).toContain(
      '```c\ntypedef\n_Function_class_(MINIPORT_SYNCHRONIZE_INTERRUPT)\n_IRQL_requires_min_(DISPATCH_LEVEL + 1)\n' +
        '_IRQL_requires_same_\nBOOLEAN\n(MINIPORT_SYNCHRONIZE_INTERRUPT)(\n    _In_ NDIS_HANDLE SynchronizeContext\n    );\n```',
    );
    expect(text()).toContain(
      '```c\ntypedef MINIPORT_SYNCHRONIZE_INTERRUPT *MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER;\n```',
    );
    expect(text()).toContain(`\`\`\`ts\n${role().tsSignature}\n\`\`\``);
    expect(role().tsSignature).toBe('(SynchronizeContext: NDIS_HANDLE) => BOOLEAN');
  });

  it('names the variant, the caller and what the function may call', () => {
    expect(text()).toContain(
      '- [`MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT`](./miniport_synchronize_message_interrupt.md) (`MiniportSynchronizeMessageInterrupt`), for message-signaled interrupts',
    );
    expect(text()).toContain(
      '- **Invoked by:** [`NdisMSynchronizeWithInterruptEx`](./ndismsynchronizewithinterruptex.md).',
    );
    // The list names the DDIs the C header declares (imported ones without types are not).
    expect(text()).toMatch(
      /- \*\*May call:\*\* Only DDIs whose contract allows every IRQL\..* Of the DDIs the C header declares: .*\[`NdisMQueueDpcEx`\]\(\.\/ndismqueuedpcex\.md\)/,
    );
    expect(text()).not.toMatch(/May call:.*NdisAcquireSpinLock/);
    const variant = page('miniport_synchronize_message_interrupt.md');
    expect(variant).toContain('A variant of [`MINIPORT_SYNCHRONIZE_INTERRUPT`](./miniport_synchronize_interrupt.md)');
    expect(variant).toContain('```c\nMINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT MySynchronizeMessageInterrupt;\n```');
    expect(variant).toContain(
      '    );\n\ntypedef MINIPORT_SYNCHRONIZE_INTERRUPT MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT;\n```',
    );
    expect(variant).toContain(
      'typedef MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT *MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER;',
    );
  });

  it('has the parameter table row for SynchronizeContext', () => {
    const description = role().params[0]!.description!;
    const row = `| \`SynchronizeContext\` | [\`NDIS_HANDLE\`](./types.md#ndis_handle) | in (\`_In_\`) | ${description} |`;
    expect(text()).toContain(`| Name | Type | Direction (SAL) | Description |\n|---|---|---|---|\n${row}\n`);
    expect(cells(row)).toHaveLength(4);
  });

  it('states the IRQL contract in words and as SAL', () => {
    expect(role().irql.text).toBe('exactly DIRQL; IRQL unchanged on return');
    expect(text()).toContain('**Contract:** exactly DIRQL; IRQL unchanged on return.');
    expect(text()).toContain(
      'SAL annotations:\n\n```c\n_IRQL_requires_min_(DISPATCH_LEVEL + 1)\n_IRQL_requires_same_\n```',
    );
    expect(text()).toContain(`**Note:** ${role().irql.note}`);
    expect(text()).toContain('DIRQL is the device IRQL of the interrupt concerned');
  });

  it('lists its rules, linked to the rule table, with their meaning', () => {
    const { model } = bundledDocs();
    for (const id of role().rules) {
      const rule = model.rules.find((r) => r.id === id)!;
      expect(rule.anchor).toBe(`rule-${id.toLowerCase()}`);
      expect(text()).toContain(`| [\`${id}\`](./README.md#${rule.anchor}) | ${rule.summary} |`);
    }
  });

  it('keeps the remarks in order', () => {
    const items = role()
      .remarks.map((r) => `- ${r}`)
      .join('\n');
    expect(text()).toContain(`## Remarks\n\n${items}\n`);
  });

  it('shows the C scaffold for MySynchronizeInterrupt as the example, header first', () => {
    const example = text().slice(text().indexOf('\n## Example\n'), text().indexOf('\n## See also\n'));
    const blocks = [...example.matchAll(/\n(`[^`\n]+`):\n\n```c\n([\s\S]*?)\n```\n/g)].map((m) => ({
      path: m[1],
      content: m[2],
    }));
    const { files } = scaffold(
      bundledDocs().model,
      [{ role: 'MINIPORT_SYNCHRONIZE_INTERRUPT', name: 'MySynchronizeInterrupt' }],
      'c',
    );
    const header = files.find((f) => f.path.endsWith('.h'))!;
    const source = files.find((f) => f.path.endsWith('.c'))!;
    expect(blocks).toEqual([
      { path: `\`${header.path}\``, content: header.content.replace(/\n+$/, '') },
      { path: `\`${source.path}\``, content: source.content.replace(/\n+$/, '') },
    ]);
    expect(blocks[0]!.content).toContain('\nMINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;\n');
    expect(blocks[1]!.content).toMatch(/_Use_decl_annotations_\nBOOLEAN\nMySynchronizeInterrupt\(/);
  });

  it('links only entries that have a page under See also, sorted', () => {
    const seeAlso = /## See also\n\n((?:- .*\n)+)/.exec(text())![1]!.trim().split('\n');
    const names = seeAlso.map((line) => /\[`([^`]+)`\]/.exec(line)![1]!);
    expect(names).toEqual([...role().seeAlso].sort());
  });
});

describe('function and type pages', () => {
  it('shows a call of the function with its parameter names, taking the address of what it writes', () => {
    expect(page('ndismregisterinterruptex.md')).toContain(
      '```c\nNDIS_HANDLE NdisInterruptHandle;\nNDIS_STATUS status = NdisMRegisterInterruptEx(\n    MiniportAdapterHandle,\n' +
        '    MiniportInterruptContext,\n    MiniportInterruptCharacteristics,\n    &NdisInterruptHandle);\n```',
    );
    expect(page('ndisacquirespinlock.md')).toContain('```c\nNdisAcquireSpinLock(SpinLock);\n```');
    expect(page('ndismderegisterinterruptex.md')).toContain(
      '```c\nNdisMDeregisterInterruptEx(NdisInterruptHandle);\n```',
    );
    expect(page('ndismsynchronizewithinterruptex.md')).toContain(
      'BOOLEAN result = NdisMSynchronizeWithInterruptEx(\n    NdisInterruptHandle,\n    MessageId,\n    SynchronizeFunction,\n    SynchronizeContext);',
    );
  });

  it('lists the SDV compliance rules of a function, sorted', () => {
    const fn = bundledDocs().model.functions.find((f) => f.name === 'NdisAcquireSpinLock')!;
    expect(fn.compliance.length).toBeGreaterThan(0);
    const list = [...fn.compliance]
      .sort()
      .map((c) => `- \`${c}\``)
      .join('\n');
    expect(page('ndisacquirespinlock.md')).toContain(`rules that cover it:\n\n${list}\n`);
  });

  it('writes a structure as its C definition and a field table', () => {
    const text = page('group_affinity.md');
    expect(text).toContain(
      'typedef struct _GROUP_AFFINITY {\n    KAFFINITY Mask;\n    USHORT    Group;\n    USHORT    Reserved[3];\n} GROUP_AFFINITY, *PGROUP_AFFINITY;',
    );
    expect(text).toMatch(/^\| `Reserved\[3\]` \| \[`USHORT`\]\(\.\/types\.md#ushort\) \| no \| .+ \|$/m);
    expect(page('ndis_miniport_interrupt_characteristics.md')).toContain(
      '- [`NdisMRegisterInterruptEx`](./ndismregisterinterruptex.md)',
    );
  });

  it('puts scalars, handles and pointers in tables on types.md with an anchor per row', () => {
    const text = page('types.md');
    expect(text).toMatch(
      /^\| <a id="ulong"><\/a>`ULONG` \| `unsigned int` \| 32 \| no \| `number` \| `ntdef\.h` \| .+ \|$/m,
    );
    expect(text).toMatch(/^\| <a id="pboolean"><\/a>`PBOOLEAN` \| \[`BOOLEAN`\]\(\.\/types\.md#boolean\) \| /m);
    expect(text).toMatch(/^\| <a id="ndis_status_success"><\/a>`NDIS_STATUS_SUCCESS` \| /m);
  });
});

describe('rule table', () => {
  it('has one rule for each rule id of the harness, each summary naming what it is reported as', () => {
    const { model } = bundledDocs();
    expect(model.rules.map((r) => r.id)).toEqual([...RULE_IDS].sort());
    for (const rule of model.rules) {
      expect(rule.summary, rule.id).toMatch(/0x[0-9A-F]+|ddikit code|warning/);
      expect(rule.summary, rule.id).not.toMatch(/\n|\|/);
    }
  });

  it('lists every rule in the index, sorted, with its anchor and summary', () => {
    const { model } = bundledDocs();
    const rows = [...page('README.md').matchAll(/^\| <a id="(rule-[a-z-]+)"><\/a>`([A-Z-]+)` \| (.+) \|$/gm)];
    expect(rows.map((m) => [m[1], m[2], m[3]])).toEqual(model.rules.map((r) => [r.anchor, r.id, r.summary]));
  });

  it('has the rule ids of RULES.md where it is present; each rule RULES.md lacks is a ddikit check', (ctx) => {
    const rulesPath = join(bundled.root, '..', 'shared', 'RULES.md');
    if (!existsSync(rulesPath))
      ctx.skip(`RULES.md not found at ${rulesPath}; the rule ids are checked against the harness only`);
    const documented = [...readFileSync(rulesPath, 'utf8').matchAll(/^\| ([A-Z]+(?:-[A-Z]+)+) \|/gm)].map((m) => m[1]);
    const { model } = bundledDocs();
    const ids = model.rules.map((r) => r.id);
    expect(documented.filter((id) => !ids.includes(id!))).toEqual([]);
    const own = model.rules.filter((r) => !documented.includes(r.id));
    expect(own.filter((r) => !/ddikit check/.test(r.source)).map((r) => r.id)).toEqual([]);
  });

  it('covers every rule id the bundled spec uses', () => {
    const { model } = bundledDocs();
    const used = new Set([...model.roles, ...model.functions].flatMap((e) => e.rules));
    expect([...used].filter((id) => !model.rules.some((r) => r.id === id))).toEqual([]);
  });
});

describe('helpers', () => {
  it.each([
    { given: 'plain', want: 'plain' },
    { given: 'a | b', want: 'a \\| b' },
    { given: '`x || y`', want: '`x \\|\\| y`' },
    { given: 'one\ntwo', want: 'one two' },
    { given: 'one \r\n two', want: 'one two' },
    { given: 'one\n\ntwo', want: 'one<br><br>two' },
    { given: '  padded\n', want: 'padded' },
  ])('escapeTableCell($given)', ({ given, want }) => {
    expect(escapeTableCell(given)).toBe(want);
  });

  it.each([
    { given: 'MiniportSynchronizeInterrupt', want: 'MySynchronizeInterrupt' },
    { given: 'MiniportSynchronizeMessageInterrupt', want: 'MySynchronizeMessageInterrupt' },
    { given: 'MiniportInterrupt', want: 'MyInterrupt' },
    { given: 'FilterAttach', want: 'MyFilterAttach' },
    { given: 'Miniport', want: 'MyMiniport' },
  ])('exampleFunctionName($given)', ({ given, want }) => {
    expect(exampleFunctionName({ function: given })).toBe(want);
  });

  it.each([
    { given: 'One. Two.', want: 'One.' },
    { given: 'Needs NDIS 6.20 or later. More.', want: 'Needs NDIS 6.20 or later.' },
    { given: 'No stop', want: 'No stop' },
    { given: 'Wrapped\nline. Next.', want: 'Wrapped line.' },
  ])('firstSentence($given)', ({ given, want }) => {
    expect(firstSentence(given)).toBe(want);
  });
});

describe('table escaping in a spec whose text has pipes', () => {
  const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';
  const tiny = `${modeline}
header: tiny.h
family: tiny
types:
  - name: VOID
    kind: void
    description: Nothing.
  - name: ULONG
    kind: scalar
    c: unsigned int
    ts: number
    bits: 32
    signed: false
    description: "Holds READ | WRITE bits."
functions:
  - name: TinyCall
    since: NDIS 6.0
    description: "Takes a | b."
    params:
      - name: Flags
        type: ULONG
        dir: in
        description: "A mask: READ | WRITE,\\nor zero."
    returns:
      type: VOID
    irql:
      any: true
`;
  const generated = (): Generated => generateFrom([{ path: 'spec/tiny/tiny.yaml', text: tiny }]);

  it('escapes the pipe in a parameter description and keeps four cells', () => {
    const text = generated().pages.get('tinycall.md')!;
    const row = text.split('\n').find((line) => line.startsWith('| `Flags`'))!;
    expect(row).toBe('| `Flags` | [`ULONG`](./types.md#ulong) | in (`_In_`) | A mask: READ \\| WRITE, or zero. |');
    expect(cells(row)).toHaveLength(4);
  });

  it('escapes pipes in the index summary and the types table', () => {
    const { pages } = generated();
    const indexRow = pages
      .get('README.md')!
      .split('\n')
      .find((line) => line.startsWith('| [`TinyCall`]'))!;
    expect(indexRow).toContain('Takes a \\| b.');
    expect(cells(indexRow)).toHaveLength(3);
    const typeRow = pages
      .get('types.md')!
      .split('\n')
      .find((line) => line.includes('`ULONG`'))!;
    expect(typeRow).toContain('Holds READ \\| WRITE bits.');
    expect(cells(typeRow)).toHaveLength(7);
  });
});

// ---------------------------------------------------------------------------------------------------
// Own words: no run of 8 words in a sentence of a page also appears in the Windows reference page of
// the same entry. Code blocks are left out on both sides: code is names and types, which are facts.

const runLength = 8;

/** Word runs of `runLength` within each sentence of the prose of a Markdown or HTML-ish text. */
function proseRuns(markdown: string): Set<string> {
  const prose = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/```[\s\S]*?```/g, '\n\n')
    .replace(/<!--[\s\S]*?-->/g, '\n\n')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/<[^>]*>/g, ' ');
  const sentences = prose
    .replace(/\n\s*\n|\n(?=\s*(?:[-*#|]|\d+\.))|\|/g, '\u0000')
    .replace(/[.!?](?=\s|$)/g, '\u0000')
    .split('\u0000');
  const runs = new Set<string>();
  for (const sentence of sentences) {
    const words = sentence.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
    for (let i = 0; i + runLength <= words.length; i++) runs.add(words.slice(i, i + runLength).join(' '));
  }
  return runs;
}

/** Windows reference pages by the API names their front matter lists. */
function referencePagesByName(dir: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.md')) continue;
    const text = readFileSync(join(dir, file), 'utf8').replace(/\r\n?/g, '\n');
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
    const names = new Set<string>();
    for (const list of front.matchAll(/^(?:api_name|f1_keywords):\n((?: - .*\n?)+)/gm)) {
      for (const item of list[1]!.matchAll(/^ - (.*)$/gm)) names.add(item[1]!.trim().replace(/^ndis\//, ''));
    }
    for (const name of names) byName.set(name, [...(byName.get(name) ?? []), text]);
  }
  return byName;
}

function sharedRuns(ours: string, theirs: readonly string[]): string[] {
  const reference = new Set<string>();
  for (const text of theirs) for (const run of proseRuns(text)) reference.add(run);
  return [...proseRuns(ours)].filter((run) => reference.has(run)).sort();
}

describe('own words', () => {
  it('finds a copied sentence (the check itself works)', () => {
    const theirs = [
      '---\napi_name:\n - X\n---\n## -description\n\nThe quick brown fox jumps over the lazy sleeping dog today.\n',
    ];
    expect(sharedRuns('Intro. The quick brown fox jumps over the lazy sleeping dog. Done.', theirs)).toEqual([
      'brown fox jumps over the lazy sleeping dog',
      'quick brown fox jumps over the lazy sleeping',
      'the quick brown fox jumps over the lazy',
    ]);
    expect(sharedRuns('```c\nThe quick brown fox jumps over the lazy sleeping dog\n```\n', theirs)).toEqual([]);
    expect(sharedRuns('The quick brown fox jumps. Over the lazy sleeping dog today.', theirs)).toEqual([]);
  });

  it('copies no run of 8 words from the Windows reference page of the same entry', (ctx) => {
    if (!existsSync(ddiDocsDir)) {
      ctx.skip(`Windows reference pages not found at ${ddiDocsDir}; the own-words check needs them and is skipped`);
    }
    const reference = referencePagesByName(ddiDocsDir);
    const { model, pages } = bundledDocs();
    const theirsOf = (entries: readonly EntryModel[]): string[] => [
      ...new Set(
        entries.flatMap((e) => [
          ...(reference.get(e.name) ?? []),
          ...(e.kind === 'role' && e.variantOf !== null ? (reference.get(e.variantOf) ?? []) : []),
        ]),
      ),
    ];
    const entries: EntryModel[] = [...model.roles, ...model.functions, ...model.types, ...model.constants];
    const shared = [...model.types.filter((t) => t.typeKind !== 'struct' && t.typeKind !== 'enum'), ...model.constants];
    let compared = 0;
    const copied: string[] = [];
    for (const [name, content] of pages) {
      const own = entries.filter((e) => `${e.stem}.md` === name);
      const theirs = theirsOf(name === 'README.md' ? entries : name === 'types.md' ? shared : own);
      if (theirs.length > 0) compared++;
      for (const run of sharedRuns(content, theirs)) copied.push(`${name}: "${run}"`);
    }
    expect(copied).toEqual([]);
    expect(reference.has('MINIPORT_SYNCHRONIZE_INTERRUPT') && reference.has('NdisMSynchronizeWithInterruptEx')).toBe(
      true,
    );
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
