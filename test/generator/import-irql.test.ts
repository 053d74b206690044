/**
 * The IRQL normalizer: every `req.irql` form of the NDIS reference (the set is taken from the pages
 * themselves, so a new form fails here until the table says what it means), the remarks the
 * importer reads where a page defers to them, and the unknown contract with its reason.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDocs } from '../../generator/src/import/import-docs.js';
import {
  conditionLabel,
  intersect,
  irqlContract,
  irqlValue,
  levelContract,
  readRemarks,
  type IrqlValue,
} from '../../generator/src/import/irql.js';
import { bundled } from '../../generator/src/paths.js';
import type { SpecIrql } from '../../generator/src/spec/spec-types.js';

const pagesDir = join(bundled.root, '..', 'shared', 'ddi-docs', 'ndis');
const corpus = existsSync(pagesDir);
const absent = `the NDIS reference pages are not at ${pagesDir} (a clone outside the shared layout); the corpus tables are skipped`;

function pageTexts(): { file: string; text: string }[] {
  return readdirSync(pagesDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(pagesDir, file), 'utf8').replace(/\r\n?/g, '\n') }));
}

const none = { seeRemarks: false, empty: false, unreadable: false };

/** Every `req.irql` form of the corpus and what it says by itself. */
const corpusForms: Record<string, IrqlValue> = {
  '': { contract: null, seeRemarks: false, empty: true, unreadable: false },
  '< DISPATCH_LEVEL': { contract: { max: 'APC_LEVEL' }, ...none },
  '<= APC_LEVEL': { contract: { max: 'APC_LEVEL' }, ...none },
  '<= DIRQL': { contract: { max: 'DIRQL' }, ...none },
  '<= DISPATCH_LEVEL': { contract: { max: 'DISPATCH_LEVEL' }, ...none },
  '<= DISPATCH_LEVEL (see Remarks section)': { contract: { max: 'DISPATCH_LEVEL' }, ...none, seeRemarks: true },
  '<=DISPATCH_LEVEL': { contract: { max: 'DISPATCH_LEVEL' }, ...none },
  '= DISPATCH_LEVEL': { contract: { runsAt: 'DISPATCH_LEVEL' }, ...none },
  '= PASSIVE_LEVEL': { contract: { runsAt: 'PASSIVE_LEVEL' }, ...none },
  'Any level': { contract: { any: true }, ...none },
  'Any level (see Remarks section)': { contract: { any: true }, ...none, seeRemarks: true },
  'DIRQL (see Remarks section)': { contract: { runsAt: 'DIRQL' }, ...none, seeRemarks: true },
  DISPATCH_LEVEL: { contract: { runsAt: 'DISPATCH_LEVEL' }, ...none },
  'Greater than or equal to DISPATCH_LEVEL': { contract: { min: 'DISPATCH_LEVEL' }, ...none },
  'IRQL <= DISPATCH_LEVEL': { contract: { max: 'DISPATCH_LEVEL' }, ...none },
  PASSIVE_LEVEL: { contract: { runsAt: 'PASSIVE_LEVEL' }, ...none },
  'PASSIVE_LEVEL (see Remarks section)': { contract: { runsAt: 'PASSIVE_LEVEL' }, ...none, seeRemarks: true },
  'See Remarks section': { contract: null, ...none, seeRemarks: true },
  'See Remarks section.': { contract: null, ...none, seeRemarks: true },
};

const note = 'Read from the remarks of the reference page.';
const emptyNoLevel = { unknown: 'the page leaves the IRQL empty, and the remarks state no level' };
const emptyNoRemarks = { unknown: 'the page leaves the IRQL empty, and it has no remarks' };
const oneCase = 'the page defers to the remarks, and the remarks state a level only for one case';

/** Every page whose value defers to the remarks (or is empty), and the contract read from them. */
const fromRemarks: Record<string, SpecIrql> = {
  'nc-ndis-miniport_disable_interrupt.md': { runsAt: 'DIRQL', note },
  'nc-ndis-miniport_enable_interrupt.md': { runsAt: 'DIRQL', note },
  'nc-ndis-miniport_isr.md': { runsAt: 'DIRQL', note },
  'nc-ndis-miniport_message_interrupt.md': { runsAt: 'DIRQL', note },
  // Only the user-initiated case names a level ("a high IRQL" names none): the rest stays unknown.
  'nc-ndis-miniport_shutdown.md': {
    unknown: oneCase,
    note,
    when: [{ condition: 'user-initiated shutdown', irql: { runsAt: 'PASSIVE_LEVEL' } }],
  },
  'nc-ndis-miniport_synchronize_interrupt.md': { runsAt: 'DIRQL', note },
  'nf-ndis-ndis_declare_switch_net_buffer_list_context_type.md': emptyNoRemarks,
  'nf-ndis-ndis_get_net_buffer_list_cancel_id.md': emptyNoLevel,
  'nf-ndis-ndis_make_rid.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_add_media_specific_info.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_add_media_specific_info_ex.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_get_media_specific_info.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_get_media_specific_info_ex.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_remove_media_specific_info.md': emptyNoLevel,
  'nf-ndis-ndis_nbl_remove_media_specific_info_ex.md': emptyNoLevel,
  'nf-ndis-ndis_set_net_buffer_list_cancel_id.md': emptyNoLevel,
  'nf-ndis-ndis_switch_port_destination_at_array_index.md': emptyNoRemarks,
  'nf-ndis-net_buffer_list_receive_filter_id.md': emptyNoLevel,
  'nf-ndis-net_buffer_list_receive_filter_vport_id.md': emptyNoLevel,
  'nf-ndis-net_buffer_list_receive_queue_id.md': emptyNoLevel,
  'nf-ndis-net_buffer_list_switch_forwarding_detail.md': emptyNoRemarks,
  // "at PASSIVE_LEVEL when canceling a periodic timer, otherwise <= DISPATCH_LEVEL"
  'nf-ndis-ndiscanceltimerobject.md': {
    max: 'DISPATCH_LEVEL',
    note,
    when: [{ condition: 'canceling periodic timer', irql: { runsAt: 'PASSIVE_LEVEL' } }],
  },
  // Two cases, each with its level, no "otherwise": the strictest is the contract where none is stated.
  'nf-ndis-ndisequalmemory.md': {
    max: 'APC_LEVEL',
    note,
    when: [
      { condition: 'both memory blocks resident', irql: { max: 'DISPATCH_LEVEL' } },
      { condition: 'either block pageable', irql: { max: 'APC_LEVEL' } },
    ],
  },
  // "any IRQL if the buffer is resident, else < DISPATCH_LEVEL"
  'nf-ndis-ndisfillmemory.md': {
    max: 'APC_LEVEL',
    note,
    when: [
      { condition: 'Destination buffer resident', irql: { any: true } },
      { condition: 'buffer pageable', irql: { max: 'APC_LEVEL' } },
    ],
  },
  'nf-ndis-ndisfreememory.md': {
    runsAt: 'PASSIVE_LEVEL',
    note,
    when: [
      { condition: 'releasing contiguous memory', irql: { runsAt: 'PASSIVE_LEVEL' } },
      { condition: 'releasing noncached memory', irql: { max: 'APC_LEVEL' } },
      { condition: 'releasing memory neither contiguous nor noncached', irql: { max: 'DISPATCH_LEVEL' } },
    ],
  },
  'nf-ndis-ndisfreememorywithtag.md': {
    runsAt: 'PASSIVE_LEVEL',
    note,
    when: [
      { condition: 'releases contiguous memory', irql: { runsAt: 'PASSIVE_LEVEL' } },
      { condition: 'releases noncached memory', irql: { max: 'APC_LEVEL' } },
      { condition: 'releases memory neither contiguous nor noncached', irql: { max: 'DISPATCH_LEVEL' } },
    ],
  },
  'nf-ndis-ndisfreememorywithtagpriority.md': {
    runsAt: 'PASSIVE_LEVEL',
    note,
    when: [
      { condition: 'releases contiguous memory', irql: { runsAt: 'PASSIVE_LEVEL' } },
      { condition: 'releases noncached memory', irql: { max: 'APC_LEVEL' } },
      { condition: 'releases memory neither contiguous nor noncached', irql: { max: 'DISPATCH_LEVEL' } },
    ],
  },
  // The "usually at PASSIVE_LEVEL" sentence is a habit, not a contract; the other case has no level.
  'nf-ndis-ndisinitansistring.md': {
    unknown: oneCase,
    note,
    when: [{ condition: 'DestinationString buffer allocated from nonpaged memory', irql: { max: 'DISPATCH_LEVEL' } }],
  },
  'nf-ndis-ndisinitunicodestring.md': {
    unknown: oneCase,
    note,
    when: [{ condition: 'DestinationString buffer allocated from nonpaged memory', irql: { max: 'DISPATCH_LEVEL' } }],
  },
  'nf-ndis-ndismconfigmsixtableentry.md': {
    max: 'DISPATCH_LEVEL',
    note,
    when: [
      { condition: 'NdisMSIXTableConfigSetTableEntry operation', irql: { max: 'DISPATCH_LEVEL' } },
      {
        condition: 'NdisMSIXTableConfigMaskTableEntry or NdisMSIXTableConfigUnmaskTableEntry operations',
        irql: { any: true },
      },
    ],
  },
  'nf-ndis-ndismindicatestatus.md': {
    runsAt: 'DISPATCH_LEVEL',
    note,
    when: [
      { condition: 'serialized callers', irql: { runsAt: 'DISPATCH_LEVEL' } },
      { condition: 'deserialized callers', irql: { max: 'DISPATCH_LEVEL' } },
    ],
  },
  'nf-ndis-ndismovememory.md': {
    max: 'APC_LEVEL',
    note,
    when: [{ condition: 'Source and Destination resident', irql: { any: true } }],
  },
  'nf-ndis-ndisretrieveulong.md': {
    max: 'APC_LEVEL',
    note,
    when: [{ condition: 'addresses in nonpaged pool', irql: { any: true } }],
  },
  'nf-ndis-ndisstoreulong.md': {
    max: 'APC_LEVEL',
    note,
    when: [{ condition: 'DestinationAddress points nonpaged pool', irql: { any: true } }],
  },
  'nf-ndis-ndiszeromemory.md': {
    max: 'APC_LEVEL',
    note,
    when: [{ condition: 'range allocated from nonpaged pool', irql: { any: true } }],
  },
};

describe.skipIf(!corpus)(`IRQL forms of the NDIS reference${corpus ? '' : ` (skipped: ${absent})`}`, () => {
  const pages = corpus ? pageTexts() : [];
  const rawOf = (text: string): string | null => /^req\.irql:[ \t]?(.*?)[ \t]*$/m.exec(text)?.[1] ?? null;

  it('the table names every distinct req.irql form of the pages, and no other', () => {
    const forms = new Set(pages.map((p) => rawOf(p.text)).filter((v): v is string => v !== null));
    expect([...forms].sort()).toEqual(Object.keys(corpusForms).sort());
  });

  it.each(Object.entries(corpusForms))('req.irql %j', (given, want) => {
    expect(irqlValue(given)).toEqual(want);
  });

  it('reads the remarks of every page that defers to them or leaves the IRQL empty, as the table says', () => {
    const result = importDocs(pages.map((p) => ({ path: p.file, text: p.text })));
    const read = Object.fromEntries(
      result.entries
        .filter(
          (e) =>
            (e.kind === 'role' || e.kind === 'function') &&
            (e.irql.source === 'remarks' || e.irql.status === 'unknown'),
        )
        .map((e) => [e.page, (e.spec as { irql: SpecIrql }).irql]),
    );
    expect(Object.keys(read).sort()).toEqual(Object.keys(fromRemarks).sort());
    for (const [page, want] of Object.entries(fromRemarks)) expect(read[page], page).toEqual(want);
  });

  it('keeps every condition label short, so no sentence of a page is copied', () => {
    for (const irql of Object.values(fromRemarks)) {
      for (const branch of irql.when ?? []) expect(branch.condition!.split(' ').length).toBeLessThan(8);
    }
  });
});

describe('levelContract and irqlValue beyond the corpus', () => {
  it.each([
    { given: 'IRQL < DISPATCH_LEVEL', want: { max: 'APC_LEVEL' } },
    { given: '< APC_LEVEL', want: { max: 'PASSIVE_LEVEL' } },
    { given: '== PASSIVE_LEVEL', want: { runsAt: 'PASSIVE_LEVEL' } },
    { given: '> APC_LEVEL', want: { min: 'DISPATCH_LEVEL' } },
    { given: '>= PASSIVE_LEVEL', want: { any: true } },
    { given: '<= HIGH_LEVEL', want: { any: true } },
    { given: 'Less than DISPATCH_LEVEL', want: { max: 'APC_LEVEL' } },
    { given: 'at most APC_LEVEL', want: { max: 'APC_LEVEL' } },
    { given: 'the DIRQL', want: { runsAt: 'DIRQL' } },
    { given: 'any IRQL', want: { any: true } },
    { given: 'IRQL \\<= DISPATCH\\_LEVEL'.replace('\\_', '_'), want: { max: 'DISPATCH_LEVEL' } },
    { given: '&lt;= DISPATCH_LEVEL', want: { max: 'DISPATCH_LEVEL' } },
    // No level below PASSIVE_LEVEL, and "below DIRQL" is no fixed level: not read, never guessed.
    { given: '< PASSIVE_LEVEL', want: null },
    { given: '< DIRQL', want: null },
    { given: 'a high IRQL', want: null },
    { given: 'DISPATCH', want: null },
  ])('$given', ({ given, want }) => {
    expect(levelContract(given)).toEqual(want);
  });

  it('marks text it cannot read as unreadable, with no contract', () => {
    expect(irqlValue('Whenever convenient')).toEqual({
      contract: null,
      seeRemarks: false,
      empty: false,
      unreadable: true,
    });
    expect(irqlValue('  See the Remarks section  ')).toEqual({
      contract: null,
      seeRemarks: true,
      empty: false,
      unreadable: false,
    });
  });
});

describe('irqlContract', () => {
  const names = ['NdisThing'];
  it('takes the level the value states, ignoring the remarks', () => {
    expect(
      irqlContract(
        irqlValue('<= DISPATCH_LEVEL (see Remarks section)'),
        'Callers of NdisThing must run at PASSIVE_LEVEL.',
        names,
        '',
      ),
    ).toEqual({
      irql: { max: 'DISPATCH_LEVEL' },
      status: 'resolved',
      source: 'value',
    });
  });

  it('records unreadable text as unknown, with the text in the reason', () => {
    expect(irqlContract(irqlValue('Whenever'), '', names, 'Whenever').irql).toEqual({
      unknown: 'the page states the IRQL as "Whenever", which names no level the importer reads',
    });
  });

  it('reads one unconditional level from the remarks', () => {
    expect(
      irqlContract(
        irqlValue('See Remarks section'),
        'Callers of NdisThing must be running at IRQL = PASSIVE_LEVEL.',
        names,
        '',
      ),
    ).toEqual({
      irql: { runsAt: 'PASSIVE_LEVEL', note },
      status: 'resolved',
      source: 'remarks',
    });
  });

  it('turns different unconditional levels into unknown rather than picking one', () => {
    const remarks = 'Callers of NdisThing must run at PASSIVE_LEVEL. NdisThing runs at DISPATCH_LEVEL.';
    expect(irqlContract(irqlValue('See Remarks section'), remarks, names, '').irql).toEqual({
      unknown:
        'the page defers to the remarks, and the remarks state different levels without saying when each applies',
    });
  });

  it('says why the remarks give no level: none at all, or only in words', () => {
    expect(irqlContract(irqlValue(''), 'Nothing about levels here.', names, '').irql).toEqual(emptyNoLevel);
    expect(irqlContract(irqlValue('See Remarks section'), 'NdisThing runs at a raised IRQL.', names, '').irql).toEqual({
      unknown: 'the page defers to the remarks, and the remarks state it only in words that name no level',
    });
  });

  it('leaves a statement about another function, a habit and an example out', () => {
    const remarks =
      'A function that runs at DIRQL must not call it. Callers of NdisThing usually run at PASSIVE_LEVEL. ' +
      'Like any function that runs at DISPATCH_LEVEL, NdisThing can be running at IRQL <= APC_LEVEL.';
    expect(readRemarks(remarks, names)).toEqual({
      statements: [{ contract: { max: 'APC_LEVEL' }, condition: null }],
      unreadable: 0,
    });
  });

  it('reads leading and trailing conditions, "otherwise", and caller kinds', () => {
    const remarks =
      'If the caller of NdisThing is draining a queue, it must be running at IRQL = PASSIVE_LEVEL. ' +
      'Otherwise, the caller of NdisThing can be running at IRQL <= DISPATCH_LEVEL. ' +
      'Callers of NdisThing can run at any IRQL if the list is empty. ' +
      'Deserialized callers of NdisThing must run at IRQL <= DISPATCH_LEVEL.';
    expect(readRemarks(remarks, names).statements).toEqual([
      { contract: { runsAt: 'PASSIVE_LEVEL' }, condition: 'draining queue' },
      { contract: { max: 'DISPATCH_LEVEL' }, condition: 'otherwise' },
      { contract: { any: true }, condition: 'list empty' },
      { contract: { max: 'DISPATCH_LEVEL' }, condition: 'deserialized callers' },
    ]);
  });

  it('makes several cases with no level in common unknown, keeping the cases', () => {
    const remarks =
      'If the lock is held, NdisThing must run at IRQL = DISPATCH_LEVEL. If the lock is free, NdisThing must run at IRQL = PASSIVE_LEVEL.';
    expect(irqlContract(irqlValue('See Remarks section'), remarks, names, '').irql).toEqual({
      unknown: 'the page defers to the remarks, and the cases the remarks list share no level',
      note,
      when: [
        { condition: 'lock held', irql: { runsAt: 'DISPATCH_LEVEL' } },
        { condition: 'lock free', irql: { runsAt: 'PASSIVE_LEVEL' } },
      ],
    });
  });

  it('shortens condition labels and keeps identifiers as written', () => {
    expect(conditionLabel('the caller of NdisThing is canceling a periodic timer', names)).toBe(
      'canceling periodic timer',
    );
    expect(conditionLabel('the given Source and Destination are resident', names)).toBe(
      'Source and Destination resident',
    );
    expect(conditionLabel('NDIS calls NdisThing because of a user-initiated shutdown', names)).toBe(
      'user-initiated shutdown',
    );
  });

  it('intersects contracts: the strictest branch', () => {
    expect(intersect([{ any: true }, { max: 'APC_LEVEL' }])).toEqual({ max: 'APC_LEVEL' });
    expect(intersect([{ max: 'DISPATCH_LEVEL' }, { runsAt: 'PASSIVE_LEVEL' }])).toEqual({ runsAt: 'PASSIVE_LEVEL' });
    expect(intersect([{ min: 'DISPATCH_LEVEL' }, { max: 'DIRQL' }])).toEqual({ min: 'DISPATCH_LEVEL', max: 'DIRQL' });
    expect(intersect([{ runsAt: 'DISPATCH_LEVEL' }, { runsAt: 'PASSIVE_LEVEL' }])).toBeNull();
  });
});
