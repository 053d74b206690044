import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../../generator/src/diagnostics.js';
import { load, type SpecSource } from '../../generator/src/spec/load.js';
import { bundled } from '../../generator/src/paths.js';
import { readSpecSources } from '../../generator/src/spec/read-spec-folder.js';
import { readSchema, validate } from '../../generator/src/spec/validate.js';

const schema = readSchema(bundled.schemaPath);
const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';

/** A small valid spec that the cases below break one way each. */
const base = `${modeline}
header: ndis.h
types:
  - name: BOOLEAN
    kind: scalar
    c: unsigned char
    ts: boolean
  - name: NDIS_HANDLE
    kind: handle
    c: void *
    ts: unknown
  - name: VOID
    kind: void
  - name: ULONG
    kind: scalar
    c: unsigned int
    ts: number
  - name: PULONG
    kind: pointer
    to: ULONG
roles:
  - name: MINIPORT_SYNCHRONIZE_INTERRUPT
    function: MiniportSynchronizeInterrupt
    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER
    since: NDIS 6.0
    params:
      - name: SynchronizeContext
        type: NDIS_HANDLE
        dir: in
    returns:
      type: BOOLEAN
    irql:
      runsAt: DIRQL
      same: true
    variants:
      - name: MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT
        function: MiniportSynchronizeMessageInterrupt
        pointer: MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER
functions:
  - name: NdisMSynchronizeWithInterruptEx
    since: NDIS 6.0
    params:
      - name: NdisInterruptHandle
        type: NDIS_HANDLE
        dir: in
      - name: SynchronizeFunction
        type: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER
        dir: in
    returns:
      type: BOOLEAN
    irql:
      max: DIRQL
`;

/** load → validate, sorted: the stages the pipeline runs before the model. */
function diagnose(sources: readonly SpecSource[]): string[] {
  const loaded = load(sources);
  return sortDiagnostics([...loaded.diagnostics, ...validate(loaded.files, { schema, unparsed: loaded.unparsed })]).map(
    formatDiagnostic,
  );
}

/** The bundled rule table, which the cases add as spec/rules.yaml unless they give their own. */
const rulesText = readFileSync(bundled.rulesPath, 'utf8');

function run(files: Record<string, string>, rules: string | null = rulesText): string[] {
  const all = rules === null ? files : { 'spec/rules.yaml': rules, ...files };
  return diagnose(Object.entries(all).map(([path, text]) => ({ path, text })));
}

function replace(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test fixture does not contain ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describe('validate', () => {
  it('accepts the base spec (the cases below each break it one way)', () => {
    expect(run({ 'spec/a.yaml': base })).toEqual([]);
  });

  it('accepts the bundled spec with no diagnostics', () => {
    const sources = readSpecSources(bundled.specDir, bundled.root);
    expect(sources.length).toBeGreaterThan(3);
    expect(diagnose(sources)).toEqual([]);
  });

  const cases: { name: string; given: string; want: string[] }[] = [
    {
      name: 'DDI1001 broken YAML syntax, located: an unclosed [ where it opens, not on the line after',
      given: replace(base, '    irql:\n      max: DIRQL\n', '    irql: [max: DIRQL\n'),
      want: [
        'spec/a.yaml:51:11 - error DDI1001: the flow list that opens here with [ has no closing ]. Add the ] where the list ends (on this line, or on a line indented more than the key).',
      ],
    },
    {
      name: 'DDI1001 an unclosed { where it opens',
      given: replace(base, '    irql:\n      max: DIRQL\n', '    irql: { max: DIRQL\n'),
      want: [
        'spec/a.yaml:51:11 - error DDI1001: the flow mapping that opens here with { has no closing }. Add the } where the mapping ends (on this line, or on a line indented more than the key).',
      ],
    },
    {
      name: 'DDI1001 a closed flow list before an unclosed one: the unclosed one is named',
      given: replace(base, '    irql:\n      max: DIRQL\n', '    irql: { max: DIRQL }\n    invokedBy: [X\n'),
      want: [
        'spec/a.yaml:52:16 - error DDI1001: the flow list that opens here with [ has no closing ]. Add the ] where the list ends (on this line, or on a line indented more than the key).',
      ],
    },
    {
      name: 'DDI1002 unknown property with did-you-mean',
      given: replace(base, '      runsAt: DIRQL\n', '      runAt: DIRQL\n'),
      want: [
        'spec/a.yaml:33:7 - error DDI1002: irql has no property "runAt". Did you mean "runsAt"? Allowed: any, differsFromPage, max, min, note, raisesTo, restores, runsAt, same, saves, unknown, when.',
      ],
    },
    {
      name: 'DDI1003 unknown IRQL level with did-you-mean',
      given: replace(base, 'runsAt: DIRQL', 'runsAt: DIRQ'),
      want: [
        'spec/a.yaml:33:15 - error DDI1003: irql.runsAt must be one of PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, CLOCK_LEVEL, IPI_LEVEL, POWER_LEVEL, HIGH_LEVEL (got "DIRQ"). Did you mean "DIRQL"?',
      ],
    },
    {
      name: 'DDI1003 bad direction',
      given: replace(
        base,
        '        type: NDIS_HANDLE\n        dir: in\n    returns:\n      type: BOOLEAN\n    irql:\n      runsAt',
        '        type: NDIS_HANDLE\n        dir: input\n    returns:\n      type: BOOLEAN\n    irql:\n      runsAt',
      ),
      want: [
        'spec/a.yaml:29:14 - error DDI1003: params[0].dir must be one of in, out, inout (got "input"). Did you mean "inout"?',
      ],
    },
    {
      name: 'DDI1004 missing required property',
      given: replace(base, '    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER\n    since', '    since'),
      want: ['spec/a.yaml:22:5 - error DDI1004: roles[0] is missing the required property "pointer". Add it.'],
    },
    {
      name: 'DDI1005 wrong type',
      given: replace(base, '      same: true', '      same: yes please'),
      want: ['spec/a.yaml:34:13 - error DDI1005: irql.same must be a boolean (got string "yes please").'],
    },
    {
      name: 'DDI1006 wrong form of since',
      given: replace(
        base,
        '    since: NDIS 6.0\n    params:\n      - name: SynchronizeContext',
        '    since: "6.0"\n    params:\n      - name: SynchronizeContext',
      ),
      want: [
        'spec/a.yaml:25:12 - error DDI1006: since has the wrong form (got "6.0"). Write the version as "NDIS 6.0".',
      ],
    },
    {
      name: 'DDI1007 missing $schema modeline',
      given: base.replace(`${modeline}\n`, '# a spec\n'),
      want: [
        'spec/a.yaml:1:1 - error DDI1007: a spec file must start with "# yaml-language-server: $schema=<path to ddi.schema.json>" (got "# a spec"). Add the line so editors can check the file.',
      ],
    },
    {
      name: 'DDI1008 duplicate key',
      given: replace(base, '      same: true\n', '      same: true\n      same: false\n'),
      want: ['spec/a.yaml:35:7 - error DDI1008: Map keys must be unique. Keep one of the two and remove the other.'],
    },
    {
      name: 'DDI2002 unknown type with did-you-mean',
      given: replace(
        base,
        '        type: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER',
        '        type: MINIPORT_SYNCHRONIZE_INTERUPT_HANDLER',
      ),
      want: [
        'spec/a.yaml:47:15 - error DDI2002: unknown type "MINIPORT_SYNCHRONIZE_INTERUPT_HANDLER". Did you mean "MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER"? Define it under types:, or use a type the spec defines.',
      ],
    },
    {
      name: 'DDI2002 a role name used where its pointer typedef belongs',
      given: replace(
        base,
        '        type: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER',
        '        type: MINIPORT_SYNCHRONIZE_INTERRUPT',
      ),
      want: [
        'spec/a.yaml:47:15 - error DDI2002: unknown type "MINIPORT_SYNCHRONIZE_INTERRUPT" (it names a role, not a type). Did you mean "MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER"? Use its pointer typedef instead.',
      ],
    },
    {
      name: 'DDI2003 dangling seeAlso',
      given: replace(base, '      max: DIRQL\n', '      max: DIRQL\n    seeAlso: [MINIPORT_SYNCRONIZE_INTERRUPT]\n'),
      want: [
        'spec/a.yaml:53:15 - error DDI2003: seeAlso names "MINIPORT_SYNCRONIZE_INTERRUPT", which no entry defines. Did you mean "MINIPORT_SYNCHRONIZE_INTERRUPT"? Remove it or define the entry.',
      ],
    },
    {
      name: 'DDI2004 C reserved word as a parameter name',
      given: replace(base, '      - name: NdisInterruptHandle', '      - name: register'),
      want: [
        'spec/a.yaml:43:15 - error DDI2004: parameter "register" is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).',
      ],
    },
    {
      name: 'DDI2005 TypeScript reserved word as a parameter name',
      given: replace(base, '      - name: NdisInterruptHandle', '      - name: interface'),
      want: [
        'spec/a.yaml:43:15 - error DDI2005: parameter "interface" is a reserved word in TypeScript, so the generated declarations would not compile. Rename it.',
      ],
    },
    {
      name: 'DDI2006 variant naming',
      given: replace(base, '      - name: MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT', '      - name: MINIPORT_MSI_SYNC'),
      want: [
        'spec/a.yaml:36:15 - error DDI2006: the variant "MINIPORT_MSI_SYNC" must keep the words of its base role MINIPORT_SYNCHRONIZE_INTERRUPT in order, with its own words inserted between the first and the last (for example MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT).',
      ],
    },
    {
      name: 'DDI2007 contradictory IRQL contract',
      given: replace(base, '      runsAt: DIRQL\n', '      runsAt: DIRQL\n      max: DISPATCH_LEVEL\n'),
      want: [
        'spec/a.yaml:33:15 - error DDI2007: runsAt fixes the level, so it cannot be combined with max. Keep runsAt alone, or replace it with min/max.',
      ],
    },
    {
      name: 'DDI2007 min above max',
      given: replace(base, '      max: DIRQL\n', '      min: DIRQL\n      max: DISPATCH_LEVEL\n'),
      want: [
        'spec/a.yaml:52:12 - error DDI2007: min DIRQL is above max DISPATCH_LEVEL, so no IRQL satisfies the contract. Swap or correct them.',
      ],
    },
    {
      name: 'DDI2008 a conditional contract naming a missing parameter',
      given: replace(
        base,
        '      max: DIRQL\n',
        '      max: DIRQL\n      when:\n        - param: MessageID\n          equals: 0\n          irql: { runsAt: PASSIVE_LEVEL }\n',
      ),
      want: [
        'spec/a.yaml:54:18 - error DDI2008: the condition tests the parameter "MessageID", which this entry does not have. Parameters: NdisInterruptHandle, SynchronizeFunction.',
      ],
    },
    {
      name: 'DDI2009 out parameter of a non-pointer type',
      given: replace(
        base,
        '        type: NDIS_HANDLE\n        dir: in\n      - name: SynchronizeFunction',
        '        type: NDIS_HANDLE\n        dir: out\n      - name: SynchronizeFunction',
      ),
      want: [
        'spec/a.yaml:45:14 - error DDI2009: parameter "NdisInterruptHandle" is "out" but its type "NDIS_HANDLE" is not a pointer, so the callee could not write through it. Use a pointer type (such as PNDIS_HANDLE) or make it "in".',
      ],
    },
    {
      name: 'a type that failed the schema is still known, and nothing that depends on its kind is judged by it',
      given: replace(
        replace(base, '    kind: pointer\n    to: ULONG\n', '    kind: pointr\n    to: ULONG\n'),
        'functions:\n',
        '  - name: MINIPORT_OUT_PARAM\n    function: MiniportOutParam\n    pointer: MINIPORT_OUT_PARAM_HANDLER\n    since: NDIS 6.0\n    params:\n      - name: Count\n        type: PULONG\n        dir: out\n    returns: { type: VOID }\n    irql: { runsAt: PASSIVE_LEVEL }\nfunctions:\n',
      ),
      want: [
        'spec/a.yaml:19:11 - error DDI1003: kind must be one of scalar, handle, pointer, struct, enum, void (got "pointr"). Did you mean "pointer"?',
      ],
    },
    {
      name: 'DDI2010 implementation-reserved C name',
      given: replace(base, '      - name: NdisInterruptHandle', '      - name: _SpinLock'),
      want: [
        'spec/a.yaml:43:15 - error DDI2010: parameter "_SpinLock" is reserved for the C implementation (leading underscore and capital, or "__"). Drop the leading underscore, as in "SpinLock".',
      ],
    },
    {
      name: 'DDI2013 unknown rule id with did-you-mean',
      given: replace(base, '      max: DIRQL\n', '      max: DIRQL\n    rules: [IRQL-CAL]\n'),
      want: [
        'spec/a.yaml:53:13 - error DDI2013: rules names "IRQL-CAL", which is not a rule of the harness. Did you mean "IRQL-CALL"? Rules: C-TRAP, DMA-UNMAPPED, DPC-IRQL, DPC-SHARED-RACE, INT-DEREGISTER, INT-DEREGISTER-ASSERTED, INT-LOST, IRQL-CALL, IRQL-SAME, ISR-CLAIM, ISR-SHARED-RACE, LOCK-FREE-HELD, LOCK-LEAK, LOCK-MISMATCH, LOCK-ORDER, LOCK-REACQUIRE, LOCK-RELEASE-UNHELD, LOCK-UNINIT, MAY-CALL, MEM-HANDLE-DEREF, MEM-NULL, MEM-REGISTER-DEREF, MEM-WILD, NIC-UNMODELED-REGISTER, POOL-BAD-FREE, POOL-LEAK, POOL-OVERRUN, POOL-USE-AFTER-FREE, RAISE-LOWER, ROLE-IRQL, ROLE-RETURN, ROLE-TYPE, SPINLOCK-FOR-ISR-STATE, STACK-OVERFLOW, SYNC-MESSAGE-ID, SYNC-UNREGISTERED, TIME-BUDGET, TIMER-HANDLE, TIMER-LEAK, TIMER-PENDING, UB-BOUNDS, UB-MISALIGNED, UB-OTHER.',
      ],
    },
    {
      name: 'DDI2006 a role pointer typedef named neither ..._HANDLER nor P and the role',
      given: base.split('MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER').join('MINIPORT_SYNCHRONIZE_INTERRUPT_PTR'),
      want: [
        'spec/a.yaml:24:14 - error DDI2006: the pointer typedef "MINIPORT_SYNCHRONIZE_INTERRUPT_PTR" must end in _HANDLER, as ndis.h names them (for example MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER), or be PMINIPORT_SYNCHRONIZE_INTERRUPT, as wdm.h names the kernel\'s.',
      ],
    },
    {
      name: "a role pointer typedef named P and the role, as wdm.h names the kernel's roles",
      given: base.split('MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER').join('PMINIPORT_SYNCHRONIZE_INTERRUPT'),
      want: [],
    },
    {
      name: 'DDI2012 duplicate parameter',
      given: replace(base, '      - name: SynchronizeFunction\n', '      - name: NdisInterruptHandle\n'),
      want: ['spec/a.yaml:46:15 - error DDI2012: parameter "NdisInterruptHandle" appears twice. Rename or remove one.'],
    },
  ];

  for (const { name, given, want } of cases) {
    it(name, () => {
      expect(run({ 'spec/a.yaml': given })).toEqual(want);
    });
  }

  it('DDI2013 says so when the spec has no rule table at all', () => {
    const given = replace(base, '      max: DIRQL\n', '      max: DIRQL\n    rules: [IRQL-CALL]\n');
    expect(run({ 'spec/a.yaml': given }, null)).toEqual([
      `spec/a.yaml:53:13 - error DDI2013: rules names "IRQL-CALL", but the spec has no rule table. Add the harness's rule table (spec/rules.yaml) to the spec folder.`,
    ]);
  });

  it('DDI2001 reports a name defined in two files at the second, naming the first', () => {
    const second = `${modeline}\nheader: ndis.h\ntypes:\n  - name: ULONG\n    kind: scalar\n    c: unsigned int\n    ts: number\n`;
    expect(run({ 'spec/a.yaml': base, 'spec/b.yaml': second })).toEqual([
      'spec/b.yaml:4:11 - error DDI2001: "ULONG" is already defined as a type at spec/a.yaml:14:11. Rename one of them or remove the repeat.',
    ]);
  });

  it('reports every problem of every file in one run, sorted by file, line and column', () => {
    const schemaError = replace(base, 'runsAt: DIRQL', 'runsAt: DIRQ');
    // b.yaml uses types that only the (schema-invalid) a.yaml defines: names are still collected from
    // a.yaml, so the only finding in b.yaml is its own.
    const semanticError = `${modeline}\nheader: ndis.h\nfunctions:\n  - name: NdisFoo\n    since: NDIS 6.0\n    params:\n      - name: register\n        type: ULONG\n        dir: in\n    returns: { type: VOID }\n    irql: { any: true }\n`;
    const other = `${modeline}\nheader: ndis.h\nfunctions: {}\n`;
    const lines = run({ 'spec/z.yaml': other, 'spec/b.yaml': semanticError, 'spec/a.yaml': schemaError });
    expect(lines.map((l) => l.split(' - ')[0])).toEqual(['spec/a.yaml:33:15', 'spec/b.yaml:7:15', 'spec/z.yaml:3:12']);
    expect(lines[1]).toContain('error DDI2004: parameter "register" is a reserved word in C');
    expect(lines[2]).toBe(
      'spec/z.yaml:3:12 - error DDI1005: functions must be a list (got a mapping). Write it as a YAML list.',
    );
  });

  describe('advice and positions', () => {
    const constant = (value: string): string =>
      replace(base, 'roles:\n', `constants:\n  - name: NDIS_STATUS_X\n    type: ULONG\n    value: ${value}\nroles:\n`);
    const cases: { name: string; given: string; want: string[] }[] = [
      {
        name: 'DDI1006 a constant value with a C suffix says to leave the suffix out',
        given: constant('"0xC0000001L"'),
        want: [
          'spec/a.yaml:24:12 - error DDI1006: value has the wrong form (got "0xC0000001L"). The C suffix "L" is no part of the value. Leave it out: "0xC0000001".',
        ],
      },
      {
        name: 'DDI1006 a constant value that is no number says what a value looks like',
        given: constant('"12abc"'),
        want: [
          'spec/a.yaml:24:12 - error DDI1006: value has the wrong form (got "12abc"). The value is neither a decimal integer nor a hexadecimal string. Write a decimal integer (such as 42 or -1) or a string of 0x and 1 to 16 hexadecimal digits (such as "0xC0000001").',
        ],
      },
      {
        name: 'DDI1006 a hexadecimal constant value wider than 64 bits',
        given: constant('"0x1FFFFFFFFFFFFFFFF"'),
        want: [
          'spec/a.yaml:24:12 - error DDI1006: value has the wrong form (got "0x1FFFFFFFFFFFFFFFF"). It has 17 hexadecimal digits, more than the 16 of a 64-bit value. Write a decimal integer (such as 42 or -1) or a string of 0x and 1 to 16 hexadecimal digits (such as "0xC0000001").',
        ],
      },
      {
        name: 'DDI1006 a negative hexadecimal constant value',
        given: constant('"-0x1"'),
        want: [
          'spec/a.yaml:24:12 - error DDI1006: value has the wrong form (got "-0x1"). A hexadecimal value is a bit pattern and has no sign. Write a decimal integer (such as 42 or -1) or a string of 0x and 1 to 16 hexadecimal digits (such as "0xC0000001"): a negative value in decimal, or its bit pattern in hexadecimal.',
        ],
      },
      {
        name: 'DDI1001 an unclosed quote is reported where the quoted value opens, not at the end of the file',
        given: replace(
          base,
          '    since: NDIS 6.0\n    params:\n      - name: NdisInterruptHandle',
          '    since: "NDIS 6.0\n    params:\n      - name: NdisInterruptHandle',
        ),
        want: [
          'spec/a.yaml:41:12 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
        ],
      },
      {
        name: 'DDI1001 an unclosed single quote, at its opening',
        given: replace(base, '      - name: SynchronizeContext', "      - name: 'SynchronizeContext"),
        want: [
          "spec/a.yaml:27:15 - error DDI1001: the single-quoted value that opens here has no closing ', so it runs on to the end of the file. Add the closing ' where the value ends.",
        ],
      },
      {
        name: 'DDI1001 one mistake, one error: what the parser reports on every line after it is counted in it',
        given: replace(base, '    kind: handle\n', '\t    kind: handle\n'),
        want: [
          'spec/a.yaml:9:1 - error DDI1001: Tabs are not allowed as indentation. Fix the YAML syntax at this point. The parser reports 22 more errors after it in this file, likely caused by it; run again once it is fixed.',
        ],
      },
      {
        name: 'DDI2001 a repeated role pointer typedef, at the pointer property, naming the first pointer property',
        given: replace(
          base,
          'functions:\n',
          '  - name: MINIPORT_OTHER_INTERRUPT\n    function: MiniportOtherInterrupt\n    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER\n    since: NDIS 6.0\n    params: []\n    returns: { type: BOOLEAN }\n    irql: { runsAt: DIRQL }\nfunctions:\n',
        ),
        want: [
          'spec/a.yaml:41:14 - error DDI2001: "MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER" is already defined as a role pointer at spec/a.yaml:24:14. Rename one of them or remove the repeat.',
        ],
      },
      {
        name: 'DDI2001 a role pointer typedef of the same name as its own role, at the pointer property',
        given: base
          .split('    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER\n')
          .join('    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT\n'),
        want: [
          'spec/a.yaml:24:14 - error DDI2001: "MINIPORT_SYNCHRONIZE_INTERRUPT" is already defined as a role at spec/a.yaml:22:11. Rename one of them or remove the repeat.',
          `spec/a.yaml:24:14 - error DDI2006: the pointer typedef "MINIPORT_SYNCHRONIZE_INTERRUPT" must end in _HANDLER, as ndis.h names them (for example MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER), or be PMINIPORT_SYNCHRONIZE_INTERRUPT, as wdm.h names the kernel's.`,
          'spec/a.yaml:47:15 - error DDI2002: unknown type "MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER". Did you mean "MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER"? Define it under types:, or use a type the spec defines.',
        ],
      },
    ];
    for (const { name, given, want } of cases) {
      it(name, () => {
        expect(run({ 'spec/a.yaml': given })).toEqual(want);
      });
    }
  });

  describe('schema and semantic errors in one run', () => {
    // The semantic checks run over every entry that passed the schema: an entry with a schema error is
    // skipped (no follow-on error of its own, nor in the entries that use it), the others are checked.
    const cases: { name: string; given: string; want: string[] }[] = [
      {
        name: 'a schema error in one entry and a semantic error in another of the same file',
        given: replace(
          replace(base, 'runsAt: DIRQL', 'runsAt: DIRQ'),
          '      - name: NdisInterruptHandle',
          '      - name: register',
        ),
        want: [
          'spec/a.yaml:33:15 - error DDI1003: irql.runsAt must be one of PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, CLOCK_LEVEL, IPI_LEVEL, POWER_LEVEL, HIGH_LEVEL (got "DIRQ"). Did you mean "DIRQL"?',
          'spec/a.yaml:43:15 - error DDI2004: parameter "register" is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).',
        ],
      },
      {
        name: 'an entry that failed the schema has no semantic error of its own',
        given: replace(
          replace(base, 'runsAt: DIRQL', 'runsAt: DIRQ'),
          '      - name: SynchronizeContext',
          '      - name: register',
        ),
        want: [
          'spec/a.yaml:33:15 - error DDI1003: irql.runsAt must be one of PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, CLOCK_LEVEL, IPI_LEVEL, POWER_LEVEL, HIGH_LEVEL (got "DIRQ"). Did you mean "DIRQL"?',
        ],
      },
      {
        name: 'a name that an entry which failed the schema leaves out is not reported unknown where it is used',
        given: replace(
          replace(base, '    pointer: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER\n    since', '    since'),
          '      - name: NdisInterruptHandle',
          '      - name: register',
        ),
        want: [
          'spec/a.yaml:22:5 - error DDI1004: roles[0] is missing the required property "pointer". Add it.',
          'spec/a.yaml:42:15 - error DDI2004: parameter "register" is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).',
        ],
      },
      {
        name: 'a repeated name in an entry that failed the schema is reported once the entry is fixed',
        given: replace(base, 'roles:\n', '  - name: ULONG\n    kind: scalr\nroles:\n'),
        want: [
          'spec/a.yaml:22:11 - error DDI1003: kind must be one of scalar, handle, pointer, struct, enum, void (got "scalr"). Did you mean "scalar"?',
        ],
      },
      {
        name: 'a section that is not a list: the other sections are checked',
        given: replace(
          replace(base, 'roles:\n', 'constants: { NDIS_X: 1 }\nroles:\n'),
          '      - name: NdisInterruptHandle',
          '      - name: register',
        ),
        want: [
          'spec/a.yaml:21:12 - error DDI1005: constants must be a list (got a mapping). Write it as a YAML list.',
          'spec/a.yaml:44:15 - error DDI2004: parameter "register" is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).',
        ],
      },
    ];
    for (const { name, given, want } of cases) {
      it(name, () => {
        expect(run({ 'spec/a.yaml': given })).toEqual(want);
      });
    }

    it('a file that is not a mapping is skipped whole, and the other files are checked', () => {
      const other = replace(base, '      - name: NdisInterruptHandle', '      - name: register');
      expect(run({ 'spec/a.yaml': other, 'spec/b.yaml': `${modeline}\n- types\n` })).toEqual([
        'spec/a.yaml:43:15 - error DDI2004: parameter "register" is a reserved word in C, so the generated header would not compile. Rename it (Windows names never collide with C keywords).',
        'spec/b.yaml:2:1 - error DDI1005: the file must be a mapping (got a list).',
      ]);
    });
  });

  describe('the rule table', () => {
    const firstRule = rulesText.slice(rulesText.indexOf('  - id: IRQL-CALL'), rulesText.indexOf('  - id: ROLE-IRQL'));
    const rules: { name: string; given: string; want: string[] }[] = [
      {
        name: 'DDI2001 a rule id defined twice, at the second, naming the first',
        given: `${rulesText}${firstRule}`,
        want: [
          'spec/rules.yaml:544:9 - error DDI2001: rule "IRQL-CALL" is already defined at spec/rules.yaml:6:9. Remove the repeat, or give the rule an id of its own.',
        ],
      },
      {
        name: 'DDI1006 a bug-check code outside 32 bits',
        given: replace(rulesText, '      - code: 0xC4\n', '      - code: 0x1FFFFFFFF\n'),
        want: [
          'spec/rules.yaml:12:15 - error DDI1006: bugChecks[0].code must be a bug-check code in 0x1..0xFFFFFFFF (got 0x1FFFFFFFF).',
        ],
      },
      {
        name: 'DDI1006 a negative parameter 1',
        given: replace(rulesText, '        p1: 0xE5\n', '        p1: -1\n'),
        want: ['spec/rules.yaml:14:13 - error DDI1006: bugChecks[0].p1 must be in 0x0..0xFFFFFFFF (got -0x1).'],
      },
      {
        name: 'DDI2015 an error that names no bug check',
        given: replace(rulesText, '    severity: warning\n', '    severity: error\n'),
        want: [
          'spec/rules.yaml:196:16 - error DDI2015: rule "ISR-CLAIM" is an error but names no bug check. Add the bug check it is reported as, or make it a warning.',
        ],
      },
      {
        name: 'DDI2015 a warning that names a bug check',
        given: replace(rulesText, '    severity: error\n', '    severity: warning\n'),
        want: [
          'spec/rules.yaml:12:7 - error DDI2015: rule "IRQL-CALL" is a warning but names bug checks, which a warning never raises. Remove them, or make it an error.',
        ],
      },
      {
        name: 'DDI1002 a property the rule table does not know',
        given: replace(rulesText, '    severity: error\n', '    severity: error\n    owner: me\n'),
        want: [
          'spec/rules.yaml:10:5 - error DDI1002: rules[0] has no property "owner". Allowed: bugChecks, compliance, id, severity, source, summary, title.',
        ],
      },
      {
        name: 'DDI1004 a rule table file with entries but no header',
        given: `${rulesText}types:\n  - name: OTHER_VOID\n    kind: void\n`,
        want: [
          'spec/rules.yaml:5:1 - error DDI1004: the file is missing the required property "header", which a file with types needs. Add it.',
        ],
      },
    ];
    for (const { name, given, want } of rules) {
      it(name, () => {
        expect(run({ 'spec/a.yaml': base }, given)).toEqual(want);
      });
    }

    it('needs no header in a file of the rule table alone', () => {
      expect(run({ 'spec/a.yaml': base })).toEqual([]);
    });
  });

  describe('a file that does not load', () => {
    // The base spec in two files: b.yaml defines the types, a.yaml the role and the function that use them.
    const split = base.indexOf('roles:\n');
    const types = base.slice(0, split);
    const uses = `${modeline}\nheader: ndis.h\n${base.slice(split)}`;
    const importedBoolean = `${modeline}\nheader: ndis.h\nfamily: reference\nimported: true\ntypes:\n  - name: BOOLEAN\n    kind: struct\n    tag: _BOOLEAN\n    page: ns-ndis-boolean.md\n    fields:\n      - { name: Value }\n`;
    const cases: { name: string; given: Record<string, string>; want: string[] }[] = [
      {
        name: 'the two files check clean (the cases below each break one)',
        given: { 'spec/a.yaml': uses, 'spec/b.yaml': types },
        want: [],
      },
      {
        name: 'names that parsed cleanly stay known; the ones after the error are noted once, never reported unknown',
        given: {
          'spec/a.yaml': uses,
          'spec/b.yaml': replace(types, '    c: unsigned char\n', '    c: "unsigned char\n'),
        },
        want: [
          'spec/b.yaml:6:8 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
          'spec/b.yaml:6:8 - warning DDI2021: references elsewhere to 1 name this file may define (NDIS_HANDLE) were not checked, because spec/b.yaml did not parse. Fix it and run again to check them.',
        ],
      },
      {
        name: 'every referenced name recovered from the partial document: the syntax error alone',
        given: { 'spec/a.yaml': uses, 'spec/b.yaml': replace(types, '    to: ULONG\n', '    to: "ULONG\n') },
        want: [
          'spec/b.yaml:20:9 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
        ],
      },
      {
        name: 'nothing recovered: a name the broken file never mentions is still reported unknown',
        given: {
          'spec/a.yaml': replace(
            uses,
            '        type: NDIS_HANDLE\n        dir: in\n      - name: Sync',
            '        type: NDIS_HANDEL\n        dir: in\n      - name: Sync',
          ),
          'spec/b.yaml': replace(types, 'header: ndis.h\n', 'header: "ndis.h\n'),
        },
        want: [
          'spec/a.yaml:26:15 - error DDI2002: unknown type "NDIS_HANDEL". Define it under types:, or use a type the spec defines.',
          'spec/b.yaml:2:9 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
          'spec/b.yaml:2:9 - warning DDI2021: references elsewhere to 2 names this file may define (BOOLEAN, NDIS_HANDLE) were not checked, because spec/b.yaml did not parse. Fix it and run again to check them.',
        ],
      },
      {
        name: 'an imported entry that the broken curated file may override is not checked in its place',
        given: {
          'spec/a.yaml': uses,
          'spec/b.yaml': replace(types, 'header: ndis.h\n', 'header: "ndis.h\n'),
          'spec/imported.yaml': importedBoolean,
        },
        want: [
          'spec/b.yaml:2:9 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
          'spec/b.yaml:2:9 - warning DDI2021: references elsewhere to 2 names this file may define (BOOLEAN, NDIS_HANDLE) were not checked, because spec/b.yaml did not parse. Fix it and run again to check them.',
        ],
      },
      {
        name: 'a constant that only the text of the broken file names (flow style), used in an IRQL condition',
        given: {
          'spec/a.yaml': replace(
            base,
            '      max: DIRQL\n',
            '      max: DIRQL\n      when:\n        - param: NdisInterruptHandle\n          equals: NDIS_SYNC_FLAG\n          irql: { max: PASSIVE_LEVEL }\n',
          ),
          'spec/c.yaml': `${modeline}\nheader: "ndis.h\nconstants:\n  - { name: NDIS_SYNC_FLAG, type: ULONG, value: 4 }\n`,
        },
        want: [
          'spec/c.yaml:2:9 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
          'spec/c.yaml:2:9 - warning DDI2021: references elsewhere to 1 name this file may define (NDIS_SYNC_FLAG) were not checked, because spec/c.yaml did not parse. Fix it and run again to check them.',
        ],
      },
      {
        name: 'a file refused after it parsed (a repeated key) keeps every name it defines',
        given: {
          'spec/a.yaml': uses,
          'spec/b.yaml': replace(types, '    kind: handle\n', '    kind: handle\n    kind: handle\n'),
        },
        want: ['spec/b.yaml:10:5 - error DDI1008: Map keys must be unique. Keep one of the two and remove the other.'],
      },
      {
        name: 'a rule table that does not parse: the rule ids entries name are not reported unknown',
        given: {
          'spec/a.yaml': replace(base, '      max: DIRQL\n', '      max: DIRQL\n    rules: [IRQL-CALL]\n'),
          'spec/rules.yaml': replace(rulesText, '  - id: IRQL-CALL\n', '  - id: "IRQL-CALL\n'),
        },
        want: [
          'spec/rules.yaml:6:9 - error DDI1001: the double-quoted value that opens here has no closing ", so it runs on to the end of the file. Add the closing " where the value ends.',
          'spec/rules.yaml:6:9 - warning DDI2021: references elsewhere to 1 name this file may define (IRQL-CALL) were not checked, because spec/rules.yaml did not parse. Fix it and run again to check them.',
        ],
      },
    ];
    for (const { name, given, want } of cases) {
      it(name, () => {
        expect(run(given)).toEqual(want);
      });
    }

    it('without the files that did not load, validate reports what they define as unknown (why load keeps them)', () => {
      const loaded = load(
        Object.entries({
          'spec/a.yaml': uses,
          'spec/b.yaml': replace(types, 'header: ndis.h\n', 'header: "ndis.h\n'),
          'spec/rules.yaml': rulesText,
        }).map(([path, text]) => ({ path, text })),
      );
      expect(loaded.files.map((f) => f.path)).toEqual(['spec/a.yaml', 'spec/rules.yaml']);
      expect(loaded.unparsed.map((f) => [f.path, f.reason, f.line, f.col])).toEqual([['spec/b.yaml', 'syntax', 2, 9]]);
      expect(validate(loaded.files, { schema }).map((d) => d.code)).toContain('DDI2002');
    });
  });

  it('keeps keys like __proto__ and constructor as data and rejects them as unknown properties', () => {
    const polluted = replace(
      base,
      '    kind: void\n',
      '    kind: void\n    __proto__: { polluted: true }\n    constructor: 1\n',
    );
    const lines = run({ 'spec/a.yaml': polluted });
    expect(lines).toEqual([
      'spec/a.yaml:14:5 - error DDI1002: types[2] has no property "__proto__". Allowed: bits, c, description, fields, header, kind, name, opaque, pack, page, pointerSized, record, signed, since, sizes, tag, to, ts, union, values.',
      'spec/a.yaml:15:5 - error DDI1002: types[2] has no property "constructor". Allowed: bits, c, description, fields, header, kind, name, opaque, pack, page, pointerSized, record, signed, since, sizes, tag, to, ts, union, values.',
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects a YAML alias bomb quickly with a located diagnostic', () => {
    const bomb = [
      modeline,
      'header: ndis.h',
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      '',
    ].join('\n');
    const started = performance.now();
    const lines = run({ 'spec/bomb.yaml': bomb });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^spec\/bomb\.yaml:4:8 - error DDI1009: .*Spec files should not need YAML aliases; write the values out\.$/,
    );
  });
});
