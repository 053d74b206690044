/**
 * An access to state shared with the ISR: what it does (an operation), whether two accesses
 * conflict — their order can change what happens — and how one reads in a report.
 */

/** Access operations. */
export const OP_NONE = 0;
export const OP_READ = 1;
export const OP_WRITE = 2;
export const OP_SET = 3;
export const OP_CLEAR = 4;
export const OP_READ_CLEAR = 5;
/**
 * An interlocked read-modify-write of memory (InterlockedIncrement, InterlockedExchange, …, in a C
 * driver): atomic, so it never conflicts with another interlocked operation, and an aligned plain
 * read sees the value before or after it whole; a plain write does conflict with it (the write can
 * undo the update, or be undone by it).
 */
export const OP_INTERLOCKED = 6;

const OP_VERBS = ['', 'read', 'write', 'set bits', 'clear bits', 'read-to-clear', 'interlocked update'] as const;

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * An access as a report shows it: `write IMS = 0x00000084`, `read-to-clear ICR → 0x80000080`,
 * `write IMC (IMS) = 0xffffffff` (a register through the state it touches), `read causes` (a field).
 */
export function accessText(
  op: number,
  register: string,
  variable: { readonly name: string; readonly kind: 'register' | 'field' },
  value: number,
  valueKnown: boolean,
): string {
  if (variable.kind === 'field')
    return `${op === OP_READ || op === OP_INTERLOCKED ? OP_VERBS[op] : 'write'} ${variable.name}`;
  const target = register === variable.name ? register : `${register} (${variable.name})`;
  switch (op) {
    case OP_READ:
    case OP_READ_CLEAR:
      return valueKnown ? `${OP_VERBS[op]} ${target} → ${hex(value)}` : `${OP_VERBS[op]} ${target}`;
    default:
      return valueKnown ? `write ${target} = ${hex(value)}` : `write ${target}`;
  }
}

/** Whether two accesses to one state conflict (their order can change what happens). */
export function conflicts(opA: number, bitsA: number, opB: number, bitsB: number): boolean {
  if (opA === OP_READ && opB === OP_READ) return false;
  // Interlocked operations exclude one another, and a plain read sees one whole value: only a plain
  // write conflicts with one.
  if (opA === OP_INTERLOCKED || opB === OP_INTERLOCKED) return opA === OP_WRITE || opB === OP_WRITE;
  if (opA === opB && (opA === OP_SET || opA === OP_CLEAR)) return false;
  if ((opA === OP_SET && opB === OP_CLEAR) || (opA === OP_CLEAR && opB === OP_SET)) return (bitsA & bitsB) !== 0;
  return true;
}
