/**
 * Frames inside code clang inlined (-O2): a report names the inlined C function at its own line,
 * then its caller at the line that called it (InlineTable, dwarf-inlines.ts), on the compiled
 * examples/c/msix-queues.c, where ContosoCompleteTransmits is inlined into ContosoMessageDpc; code
 * the optimizer moved out of the inlined scope is named by its line too. On malformed DWARF the
 * table is empty and frames are named by the wasm function, as before — never a throw or a hang.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InlineTable } from '../../packages/sim-c/src/dwarf-inlines.js';
import type { CDriverModule } from '../../packages/sim-c/src/driver-module.js';
import { load, root } from './build.js';
import { module, text, u32, uleb } from './dwarf-bytes.js';

const SOURCE = 'examples/c/msix-queues.c';
const lines = readFileSync(`${root}${SOURCE}`, 'utf8').split('\n');
const lineOf = (text: string): number => lines.findIndex((line) => line.includes(text)) + 1;
/** ContosoCompleteTransmits: its definition up to the next function's. */
const BODY = [lineOf('static VOID ContosoCompleteTransmits('), lineOf('VOID ContosoMessageDpc(NDIS_HANDLE')];
const CALL = lineOf('        ContosoCompleteTransmits(adapter);');

let driver: CDriverModule;
beforeAll(async () => {
  driver = await load({ files: [SOURCE], instrumentAccesses: true });
}, 120_000);

/** A V8 stack line for the code at `address` (code-section relative) of function `name`. */
function stackAt(name: string, address: number): string {
  const index = [...driver.names].find(([, n]) => n === name)![0];
  const offset = address + driver.lines.codeOffset;
  return `Error\n    at ${name} (wasm://wasm/0f1e2d3c:wasm-function[${index}]:0x${offset.toString(16)})\n    at run (file:///x.js:1:1)`;
}

describe('frames in inlined code', () => {
  it('reads the inlined functions and their calls from the module', () => {
    expect(driver.inlines.size).toBeGreaterThan(5);
    expect(BODY[0]).toBeGreaterThan(0);
    expect(CALL).toBeGreaterThan(BODY[1]!);
  });

  it('names ContosoCompleteTransmits at its line, then ContosoMessageDpc at the call', () => {
    // Every address of the DPC whose line lies in ContosoCompleteTransmits' body.
    let seen = 0;
    for (let address = 0; address < 1 << 16; address++) {
      const at = driver.lines.lookup(address);
      if (at === null || at.file !== SOURCE || at.line <= BODY[0]! || at.line >= BODY[1]!) continue;
      const frames = driver.cFrames(stackAt('ContosoMessageDpc', address));
      expect(frames.slice(0, 2), `address ${address}`).toEqual([
        { function: 'ContosoCompleteTransmits', file: SOURCE, line: at.line, column: at.column },
        expect.objectContaining({ function: 'ContosoMessageDpc', file: SOURCE, line: CALL }),
      ]);
      seen++;
    }
    // Inside DWARF's inlined scope and outside it (code moved out of the body keeps its line).
    expect(seen).toBeGreaterThan(3);
  });

  it('leaves a frame of the function’s own code as one frame', () => {
    const own = lineOf('if ((causes & TX_WORK) != 0) {');
    let address = 0;
    while (address < 1 << 16 && driver.lines.lookup(address)?.line !== own) address++;
    expect(address).toBeLessThan(1 << 16);
    expect(driver.cFrames(stackAt('ContosoMessageDpc', address))).toEqual([
      { function: 'ContosoMessageDpc', file: SOURCE, line: own, column: driver.lines.lookup(address)!.column },
    ]);
  });
});

// ---- hand-made DWARF -------------------------------------------------------------------------------

// 1 compile unit (stmt_list sec_offset; children); 2 subprogram (name, decl_file data1, decl_line
// data1, low_pc addr, high_pc data4; children); 3 inlined subroutine (abstract_origin ref4, ranges
// sec_offset, call_file data1, call_line data1, call_column data1); 4 subprogram declaration (name,
// decl_file data1, decl_line data1).
const ABBREV = [
  ...[1, 0x11, 1, 0x10, 0x17, 0, 0],
  ...[2, 0x2e, 1, 0x03, 0x08, 0x3a, 0x0b, 0x3b, 0x0b, 0x11, 0x01, 0x12, 0x06, 0, 0],
  ...[3, 0x1d, 0, 0x31, 0x13, 0x55, 0x17, 0x58, 0x0b, 0x59, 0x0b, 0x57, 0x0b, 0, 0],
  ...[4, 0x2e, 0, 0x03, 0x08, 0x3a, 0x0b, 0x3b, 0x0b, 0, 0],
  0,
];

/** A unit: Helper declared (offset 16), Outer at 0x100..0x200 with Helper inlined over `ranges`, all in file 1. */
function dwarf(helperName: string, ranges: number[]): Uint8Array {
  const dies = [
    ...[1, ...u32(0)], // CU at 11, its line program at 0
    ...[4, ...text(`${helperName}\0`), 1, 10], // at 16
    ...[2, ...text('Outer\0'), 1, 20, ...u32(0x100), ...u32(0x100)],
    ...[3, ...u32(16), ...u32(0), 1, 25, 7],
    0,
    0,
  ];
  const body = [...[4, 0], ...u32(0), 4, ...dies];
  return module({ '.debug_info': [...u32(body.length), ...body], '.debug_abbrev': ABBREV, '.debug_ranges': ranges });
}

/** The line program at 0 has file 1, x.c. */
const files = (stmtList: number, index: number): string | null => (stmtList === 0 && index === 1 ? 'x.c' : null);

describe('InlineTable on hand-made DWARF', () => {
  it('reads an inlined instance over its ranges, with a base address selection', () => {
    const table = new InlineTable(
      dwarf('Helper', [
        ...u32(0x110),
        ...u32(0x120),
        ...u32(0xffffffff),
        ...u32(0x1000),
        ...u32(0x40),
        ...u32(0x48),
        ...u32(0),
        ...u32(0),
      ]),
      files,
    );
    expect(table.size).toBe(1);
    expect(table.at(0x118)).toEqual([{ name: 'Helper', call: { file: 'x.c', line: 25, column: 7 } }]);
    expect(table.at(0x1044)).toEqual([{ name: 'Helper', call: { file: 'x.c', line: 25, column: 7 } }]);
    expect(table.at(0x120)).toEqual([]);
    expect(table.at(0x48)).toEqual([]);
  });

  it('finds the instance whose line the code has although DWARF left it in the caller’s scope', () => {
    const table = new InlineTable(dwarf('Helper', [...u32(0x110), ...u32(0x120), ...u32(0), ...u32(0)]), files);
    // Line 12 is in Helper (declared at 10; Outer at 20): Helper, called at 25.
    expect(table.lostScope(0x130, { file: 'x.c', line: 12, column: 1 }, 'Outer', 0)).toEqual({
      name: 'Helper',
      call: { file: 'x.c', line: 25, column: 7 },
    });
    // Outer's own line, or an address outside Outer's code: nothing.
    expect(table.lostScope(0x130, { file: 'x.c', line: 22, column: 1 }, 'Outer', 0)).toBeNull();
    expect(table.lostScope(0x300, { file: 'x.c', line: 12, column: 1 }, 'Outer', 0)).toBeNull();
  });

  it('ends with no entries on a range list with no end, and takes only C identifiers as names', () => {
    const endless = new Array(64).fill([...u32(0x10), ...u32(0x20)]).flat();
    expect(new InlineTable(dwarf('Helper', endless), files).size).toBe(0);
    const named = new InlineTable(dwarf('<script>', [...u32(0x110), ...u32(0x120), ...u32(0), ...u32(0)]), files);
    expect(named.size).toBe(0);
    // A cut section: no throw, no entries.
    const cut = dwarf('Helper', [...u32(0x110), ...u32(0x120), ...u32(0), ...u32(0)]).slice(0, 40);
    expect(new InlineTable(cut, files).size).toBe(0);
  });
});
