/** A small valid curated spec file that the hardening tests change one way per case. */
export const modeline = '# yaml-language-server: $schema=../schema/ddi.schema.json';

/** One file of the spec folder (spec/ndis/sample.yaml): types, a constant, a role and a DDI. */
export const baseSpec = `${modeline}
header: ndis.h
types:
  - { name: VOID, kind: void }
  - { name: BOOLEAN, kind: scalar, c: unsigned char, ts: boolean, bits: 8, signed: false }
  - { name: UCHAR, kind: scalar, c: unsigned char, ts: number, bits: 8, signed: false }
  - { name: ULONG, kind: scalar, c: unsigned int, ts: number, bits: 32, signed: false }
  - { name: NDIS_HANDLE, kind: handle, c: void *, ts: unknown }
  - name: SAMPLE_MODE
    kind: enum
    values:
      - { name: SampleModeOff, value: 0 }
      - { name: SampleModeOn, value: 1 }
constants:
  - { name: SAMPLE_FLAG, type: ULONG, value: 4 }
roles:
  - name: SAMPLE_CALLBACK
    function: SampleCallback
    pointer: SAMPLE_CALLBACK_HANDLER
    since: NDIS 6.0
    description: A sample role.
    params:
      - { name: Context, type: NDIS_HANDLE, dir: in }
      - { name: Flags, type: ULONG, dir: in }
      - { name: Mode, type: SAMPLE_MODE, dir: in }
      - { name: Small, type: UCHAR, dir: in }
      - { name: Wait, type: BOOLEAN, dir: in }
    returns: { type: VOID }
    irql:
      max: DISPATCH_LEVEL
      when:
        - param: Flags
          equals: 1
          irql: { runsAt: PASSIVE_LEVEL }
functions:
  - name: SampleCall
    since: NDIS 6.0
    description: A sample DDI.
    params:
      - { name: Handle, type: NDIS_HANDLE, dir: in }
    returns: { type: VOID }
    irql: { max: DISPATCH_LEVEL }
`;
