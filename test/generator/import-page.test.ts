/**
 * Reading one reference page: front matter, sections, markup, line endings (page.ts), and the facts
 * of an entry (entry.ts): directions, macro arguments, return types, versions. Bad pages give one
 * located diagnostic each, with the exact text.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/src/diagnostics.js';
import { pageToEntry, returnTypeOf } from '../../generator/src/import/entry.js';
import { directionOf, parameterName } from '../../generator/src/import/members.js';
import { isPlain } from '../../generator/src/import/emit.js';
import { plainText } from '../../generator/src/import/markup.js';
import { frontValue, parsePage } from '../../generator/src/import/page.js';
import { normalizeSince } from '../../generator/src/import/since.js';

function page(front: string, body: string, eol = '\n'): string {
  return ['---', ...front.split('\n'), '---', '', ...body.split('\n')].join(eol);
}

const front = `UID: NF:ndis.NdisThing
title: NdisThing function (ndis.h)
req.header: ndis.h
req.irql: PASSIVE_LEVEL
api_name:
 - NdisThing
 - ndis/NdisThing`;

const body = `# NdisThing function

## -description

Does a thing.

## -parameters

### -param Handle [in]

A handle.

\`\`\`
## -not-a-section
\`\`\`

## -remarks

Nothing more.`;

function lines(source: { path: string; text: string }): string[] {
  return parsePage(source).diagnostics.map(formatDiagnostic);
}

describe('parsePage', () => {
  it('reads front matter keys and lists, the title, sections and subsections with their lines', () => {
    const { page: parsed, diagnostics } = parsePage({ path: 'p/nf-ndis-ndisthing.md', text: page(front, body) });
    expect(diagnostics).toEqual([]);
    expect(parsed!.file).toBe('nf-ndis-ndisthing.md');
    expect(frontValue(parsed!, 'req.irql')).toBe('PASSIVE_LEVEL');
    expect(parsed!.frontMatter.get('api_name')).toEqual({
      key: 'api_name',
      value: '',
      items: ['NdisThing', 'ndis/NdisThing'],
      line: 6,
    });
    expect(parsed!.title).toBe('NdisThing function');
    expect([...parsed!.sections.keys()]).toEqual(['description', 'parameters', 'remarks']);
    const parameters = parsed!.sections.get('parameters')!;
    expect(parameters.line).toBe(17);
    // The heading inside the fenced block is text of the subsection, not a section.
    expect(
      parameters.subsections.map((s) => [s.kind, s.title, s.line, s.lines.some((l) => l.text === '## -not-a-section')]),
    ).toEqual([['param', 'Handle [in]', 19, true]]);
  });

  it('reads a CRLF page as it reads an LF one, without a diagnostic', () => {
    const lf = parsePage({ path: 'a.md', text: page(front, body) });
    const crlf = parsePage({ path: 'a.md', text: page(front, body, '\r\n') });
    expect(crlf.diagnostics).toEqual([]);
    expect(crlf.page).toEqual(lf.page);
  });

  it('DDI3005 mixed line endings and bare CR, at the first odd line', () => {
    const mixed = page(front, body).replace('Does a thing.\n', 'Does a thing.\r\n');
    expect(lines({ path: 'a.md', text: mixed })).toEqual([
      'a.md:15:1 - warning DDI3005: the page mixes line endings (CRLF, LF); it was read with each ending as a line break. Save it with one kind of line ending.',
    ]);
    const bare = page(front, body, '\r\n').replace('# NdisThing function\r\n', '# NdisThing function\r');
    expect(lines({ path: 'a.md', text: bare })).toEqual([
      'a.md:11:1 - warning DDI3005: the page mixes line endings (CRLF, CR); it was read with each ending as a line break. Save it with one kind of line ending.',
    ]);
  });

  it('DDI3001 no front matter, or one that is never closed: the page is skipped', () => {
    expect(lines({ path: 'a.md', text: '# Just a heading\n' })).toEqual([
      'a.md:1:1 - error DDI3001: the page does not start with a "---" line, so it has no front matter (got "# Just a heading"). A reference page starts with YAML front matter between two "---" lines; the page was skipped.',
    ]);
    expect(lines({ path: 'a.md', text: '---\nUID: NF:ndis.X\n# Title\n' })).toEqual([
      'a.md:1:1 - error DDI3001: the front matter is never closed by a "---" line; the page was skipped. Add the closing line after the last key.',
    ]);
    expect(parsePage({ path: 'a.md', text: '' }).page).toBeNull();
  });

  it('DDI3001 warnings for a line that is no key, and for a repeated key (the first is kept)', () => {
    const text = page(`${front}\nthis is not a key\nreq.irql: DISPATCH_LEVEL`, body);
    expect(lines({ path: 'a.md', text })).toEqual([
      'a.md:9:1 - warning DDI3001: the front matter line "this is not a key" is neither "key: value" nor a "- item" of a list; it was skipped.',
      'a.md:10:1 - warning DDI3001: the front matter key "req.irql" appears twice; the first one (line 5) is kept. Remove the repeat.',
    ]);
    expect(frontValue(parsePage({ path: 'a.md', text }).page!, 'req.irql')).toBe('PASSIVE_LEVEL');
  });

  it('DDI3003 markup in a heading, at its column; the heading is read without it', () => {
    const text = page(
      front,
      body.replace('### -param Handle [in]', '### -param <b>Handle</b> [in]').replace('## -remarks', '## -**remarks**'),
    );
    expect(lines({ path: 'a.md', text })).toEqual([
      'a.md:19:12 - warning DDI3003: the heading holds markup ("<b>"); it was read without it. Headings of reference pages are plain text.',
      'a.md:27:5 - warning DDI3003: the heading holds markup ("**"); it was read without it. Headings of reference pages are plain text.',
    ]);
    const parsed = parsePage({ path: 'a.md', text }).page!;
    expect(parsed.sections.get('parameters')!.subsections[0]!.title).toBe('Handle [in]');
    expect(parsed.sections.has('remarks')).toBe(true);
  });

  it('DDI3002 no description, no section at all, or a section twice', () => {
    expect(lines({ path: 'a.md', text: page(front, '# T\n\n## -remarks\n\nText.') })).toEqual([
      'a.md:10:1 - warning DDI3002: the page has no "## -description" section. Every reference page starts its text with one.',
    ]);
    expect(lines({ path: 'a.md', text: page(front, '# T\n\nNo sections.') })).toEqual([
      'a.md:10:1 - warning DDI3002: the page has no "## -" section (description, parameters, remarks, …); only its front matter was read.',
    ]);
    expect(lines({ path: 'a.md', text: page(front, `${body}\n\n## -remarks\n\nAgain.`) })).toEqual([
      'a.md:31:1 - warning DDI3002: the section "## -remarks" appears twice; only the first is read. Merge the two.',
    ]);
  });
});

function entryOf(frontText: string, bodyText: string, file = 'nf-ndis-ndisthing.md') {
  const parsed = parsePage({ path: file, text: page(frontText, bodyText) }).page!;
  return pageToEntry(parsed, { withText: false });
}

describe('pageToEntry', () => {
  it('reads directions on the heading line and on the line below, and strips macro underscores', () => {
    const params = `# T

## -description

Text.

## -parameters

### -param _SpinLock_ [in, out]

The lock.

### -param Flags

*[in, optional]* Bits.

### -param Result

[_out_] The result.

### -param Unmarked

No direction at all.`;
    const { entry, diagnostics } = entryOf(front, params);
    expect(diagnostics).toEqual([]);
    expect(entry!.spec).toMatchObject({
      params: [
        { name: 'SpinLock', dir: 'inout' },
        { name: 'Flags', dir: 'in', optional: true },
        { name: 'Result', dir: 'out' },
        { name: 'Unmarked' },
      ],
    });
  });

  it('DDI3007 for "...", a heading that is no identifier, a repeated parameter and an unknown marker word', () => {
    const params = `# T

## -description

Text.

## -parameters

### -param A [in]

### -param ...

### -param 2nd [in]

### -param A [out]

### -param B [in, reserved]`;
    const { entry, diagnostics } = entryOf(front, params);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'nf-ndis-ndisthing.md:21:1 - warning DDI3007: the parameter "..." stands for a variable argument list, which the spec cannot state; it was left out.',
      'nf-ndis-ndisthing.md:23:1 - warning DDI3007: the parameter heading "2nd [in]" does not start with a C identifier; the parameter was left out. Write it as "### -param Name [in]".',
      'nf-ndis-ndisthing.md:25:1 - warning DDI3007: the parameter "A" is listed twice; the second was left out.',
      'nf-ndis-ndisthing.md:27:1 - warning DDI3007: the parameter "B" is marked "[in, reserved]"; "reserved" is no direction (in, out, in/out, optional) and was ignored.',
    ]);
    expect(entry!.spec).toMatchObject({
      params: [
        { name: 'A', dir: 'in' },
        { name: 'B', dir: 'in' },
      ],
    });
  });

  it('DDI3001 no UID and DDI3008 a UID of another kind skip the page; the header overview page is skipped silently', () => {
    expect(entryOf('title: X', '# X\n\n## -description\n\nX.').diagnostics.map(formatDiagnostic)).toEqual([
      'nf-ndis-ndisthing.md:1:1 - error DDI3001: the front matter has no UID, so the page names no entry; it was skipped. Add "UID: NF:ndis.Name" (NC for callbacks, NS structures, NE enumerations).',
    ]);
    expect(entryOf('UID: NI:ndis.NdisThing', '# X\n\n## -description\n\nX.').diagnostics.map(formatDiagnostic)).toEqual(
      [
        'nf-ndis-ndisthing.md:2:6 - error DDI3008: the UID "NI:ndis.NdisThing" is of kind NI, which the importer does not read (NC callbacks, NF functions, NS structures, NE enumerations); the page was skipped.',
      ],
    );
    expect(entryOf('UID: NA:ndis', '# X\n\n## -description\n\nX.')).toEqual({ entry: null, diagnostics: [] });
    expect(entryOf('UID: NC:ndis.THING', '# X\n\n## -description\n\nX.').diagnostics.map(formatDiagnostic)).toEqual([
      'nf-ndis-ndisthing.md:2:6 - warning DDI3008: the UID says NC but the file name says NF; the UID was followed. Rename the file or correct the UID.',
    ]);
  });

  it('takes the role name, conventional function name and pointer typedef from the UID and keywords', () => {
    const role = entryOf(
      'UID: NC:ndis.THING_CALLBACK\nms.keywords: "(*THING_CALLBACK_HANDLER), THING_CALLBACK, ThingCallback, ndis/ThingCallback"\nreq.irql: DISPATCH_LEVEL',
      '# T\n\n## -description\n\nText.',
      'nc-ndis-thing_callback.md',
    ).entry!;
    expect(role.kind).toBe('role');
    expect(role.spec).toEqual({
      name: 'THING_CALLBACK',
      page: 'nc-ndis-thing_callback.md',
      function: 'ThingCallback',
      pointer: 'THING_CALLBACK_HANDLER',
      params: [],
      irql: { runsAt: 'DISPATCH_LEVEL' },
    });
  });
});

describe('facts in words', () => {
  it.each([
    { given: 'None', want: 'VOID' },
    { given: 'This callback function does not return a value.', want: 'VOID' },
    {
      given:
        'If the call succeeds, it returns NDIS_STATUS_SUCCESS. Otherwise, it returns an NDIS_STATUS_Xxx error code.',
      want: 'NDIS_STATUS',
    },
    { given: 'Return code Description NDIS_STATUS_SUCCESS It worked. NDIS_STATUS_PENDING Later.', want: 'NDIS_STATUS' },
    { given: 'NdisThing returns TRUE if the timer was queued; otherwise, it returns FALSE.', want: 'BOOLEAN' },
    { given: 'Returns a Boolean value.', want: 'BOOLEAN' },
    { given: 'NdisThing returns a ULONG value that is an identifier.', want: 'ULONG' },
    // Another status type, a count, a pointer: not stated as a type the spec knows.
    { given: 'This function returns STATUS_SUCCESS when it completes.', want: null },
    { given: 'NdisThing returns the number of processors.', want: null },
    { given: 'Returns a pointer to a packet descriptor.', want: null },
    { given: '', want: null },
  ])('returnTypeOf($given)', ({ given, want }) => {
    expect(returnTypeOf(given, 'NdisThing')).toBe(want);
  });

  it.each([
    { given: 'Supported in NDIS 6.20 and later.', want: 'NDIS 6.20' },
    {
      given:
        'Supported for NDIS 6.0 and NDIS 5.1 drivers (see X (NDIS 5.1)) in Windows Vista. Supported for NDIS 5.1 drivers (see X (NDIS 5.1)) in Windows XP.',
      want: 'NDIS 6.0',
    },
    { given: 'Supported in NDIS 6.0 and 6.1. For NDIS 6.20 and later, use NdisMQueueDpcEx.', want: 'NDIS 6.0' },
    {
      given: 'Supported in NDIS 5.1, and NDIS 6.0 and later. For NDIS 5.1 drivers, see X (NDIS 5.1).',
      want: 'NDIS 6.0',
    },
    { given: 'None supported,Supported in NDIS 6.30 and later.', want: 'NDIS 6.30' },
    {
      given: 'Obsolete in NDIS 6.20 and later. Supported for NDIS 6.0 and NDIS 5.1 in Windows Vista and Windows 7.',
      want: 'NDIS 6.0',
    },
    {
      given: 'Deprecated for NDIS 6.20 and later drivers, which should use Y instead. Supported in NDIS 6.0 and 6.1.',
      want: 'NDIS 6.0',
    },
    { given: 'Deprecated for NDIS 6.0 and later drivers in Windows Vista and later.', want: null },
    { given: 'Windows Vista and later', want: 'NDIS 6.0' },
    { given: 'Windows 10', want: 'NDIS 6.50' },
    { given: 'Windows 10, version 1709', want: 'NDIS 6.80' },
    { given: '', want: null },
  ])('normalizeSince($given)', ({ given, want }) => {
    expect(normalizeSince(given)).toBe(want);
  });

  it('directionOf and parameterName', () => {
    expect(directionOf('in, out')).toEqual({ dir: 'inout', unknown: [] });
    expect(directionOf('optional')).toEqual({ optional: true, unknown: [] });
    expect(directionOf('_Out_')).toEqual({ dir: 'out', unknown: [] });
    expect(parameterName('_OldIrql_')).toBe('OldIrql');
    expect(parameterName('Handle_')).toBe('Handle_');
  });

  it('plainText drops markup and code, keeps comparison signs', () => {
    expect(
      plainText('Callers of <b>X</b> run at IRQL &lt;= DISPATCH\\_LEVEL, see [**Y**](y.md).\n```\ncode()\n```\nEnd.'),
    ).toBe('Callers of X run at IRQL <= DISPATCH_LEVEL, see Y. End.');
  });

  it('isPlain: what may be written without quotes', () => {
    expect([
      isPlain('NDIS 6.0', true),
      isPlain('a, b', true),
      isPlain('a, b', false),
      isPlain('true', false),
      isPlain('x: y', false),
      isPlain('~r1', false),
    ]).toEqual([true, false, true, false, false, false]);
  });
});
