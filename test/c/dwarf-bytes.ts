/** Bytes of hand-made DWARF for the DWARF readers' tests: LEB128, little-endian words, wasm custom sections. */

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

export const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** A wasm module holding only the custom sections given. */
export function module(sections: Record<string, number[]>): Uint8Array {
  // concat, not push(...): a large section spread into arguments overflows the call stack.
  let bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const [name, payload] of Object.entries(sections)) {
    const body = uleb(name.length).concat(text(name), payload);
    bytes = bytes.concat([0], uleb(body.length), body);
  }
  return new Uint8Array(bytes);
}
