/**
 * The contracts of imported DDIs as the harness reads them (packages/ndis/src/contract.ts): a
 * condition stated in words is enforced at its strictest until the caller states it, an unknown
 * contract gives no bounds, and a parameter condition (SAL _When_) keeps working as before. Also:
 * the generated metadata module, JavaScript for speed, holds exactly what its declaration says.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';
import { functionContract, irqlBounds, isAnyLevel, metadata, roleContract, type IrqlMeta } from '@ddikit/ndis';

const DIRQL = 7;

describe('irqlBounds on imported contracts', () => {
  it('enforces the strictest branch of a condition stated in words until the caller states it', () => {
    // NdisMoveMemory: any IRQL where Source and Destination are resident, else below DISPATCH_LEVEL.
    const move = functionContract('NdisMoveMemory')!.irql;
    expect(move.when).toEqual([
      {
        param: null,
        equals: null,
        condition: 'Source and Destination resident',
        min: 'PASSIVE_LEVEL',
        max: 'HIGH_LEVEL',
      },
    ]);
    expect(irqlBounds(move, DIRQL)).toEqual({ min: 0, max: 1 });
    // Arguments say nothing about memory: still the strictest.
    expect(irqlBounds(move, DIRQL, { Destination: {}, Source: {}, Length: 4 })).toEqual({ min: 0, max: 1 });
    expect(irqlBounds(move, DIRQL, {}, { 'Source and Destination resident': true })).toEqual({ min: 0, max: 15 });
    expect(irqlBounds(move, DIRQL, {}, { 'Source and Destination resident': false })).toEqual({ min: 0, max: 1 });
    expect(isAnyLevel(move)).toBe(false);
  });

  it('takes the "otherwise" contract once the caller states its condition does not hold', () => {
    // NdisCancelTimerObject: PASSIVE_LEVEL for a periodic timer, otherwise at most DISPATCH_LEVEL.
    const cancel = functionContract('NdisCancelTimerObject')!.irql;
    expect(irqlBounds(cancel, DIRQL, {})).toEqual({ min: 0, max: 0 });
    expect(irqlBounds(cancel, DIRQL, {}, { 'canceling periodic timer': true })).toEqual({ min: 0, max: 0 });
    expect(irqlBounds(cancel, DIRQL, {}, { 'canceling periodic timer': false })).toEqual({ min: 0, max: 2 });
  });

  it('gives no bounds for an unknown contract, unless a stated case has a level', () => {
    const unknown = functionContract('NDIS_MAKE_RID')!.irql;
    expect([unknown.min, unknown.max, unknown.reason]).toEqual([
      null,
      null,
      'the page leaves the IRQL empty, and the remarks state no level',
    ]);
    expect(irqlBounds(unknown, DIRQL)).toBeNull();
    const ansi = functionContract('NdisInitAnsiString')!.irql;
    expect(irqlBounds(ansi, DIRQL, {})).toBeNull();
    expect(irqlBounds(ansi, DIRQL, {}, { 'DestinationString buffer allocated from nonpaged memory': true })).toEqual({
      min: 0,
      max: 2,
    });
    expect(roleContract('MINIPORT_SHUTDOWN')!.irql.reason).toBe(
      'the page defers to the remarks, and the remarks state a level only for one case',
    );
  });

  it('keeps parameter conditions (SAL _When_) as they were', () => {
    const irql: IrqlMeta = {
      min: 'PASSIVE_LEVEL',
      max: 'DISPATCH_LEVEL',
      same: false,
      raisesTo: null,
      saves: null,
      restores: null,
      when: [{ param: 'Flags', equals: 1, min: 'PASSIVE_LEVEL', max: 'PASSIVE_LEVEL' }],
      reason: null,
    };
    expect(irqlBounds(irql, DIRQL)).toEqual({ min: 0, max: 0 });
    expect(irqlBounds(irql, DIRQL, { Flags: 1 })).toEqual({ min: 0, max: 0 });
    expect(irqlBounds(irql, DIRQL, { Flags: 0 })).toEqual({ min: 0, max: 2 });
  });

  it('gives every imported function and role a contract or a reason, never both, never neither', () => {
    for (const entry of [...metadata.functions, ...metadata.roles]) {
      const known = entry.irql.min !== null && entry.irql.max !== null;
      expect(known !== (entry.irql.reason !== null), entry.name).toBe(true);
    }
    expect(metadata.functions.length).toBeGreaterThanOrEqual(360);
    expect(metadata.roles.length).toBeGreaterThanOrEqual(130);
  });
});

describe('the generated metadata module', () => {
  it('type-checks against Metadata (checkJs), though builds that import it do not check it', () => {
    const file = join(bundled.outDir, 'src/generated/metadata.js');
    const program = ts.createProgram({
      rootNames: [file],
      options: {
        allowJs: true,
        checkJs: true,
        noEmit: true,
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        skipLibCheck: true,
        types: [],
      },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
    // A wrong value would be caught: the same check on a broken copy fails.
    const host = ts.createCompilerHost(program.getCompilerOptions());
    const read = host.readFile.bind(host);
    host.readFile = (name) =>
      name === file ? read(name)!.replace("direction: 'in'", "direction: 'sideways'") : read(name);
    const broken = ts.createProgram({ rootNames: [file], options: program.getCompilerOptions(), host });
    expect(ts.getPreEmitDiagnostics(broken).length).toBeGreaterThan(0);
  });
});
