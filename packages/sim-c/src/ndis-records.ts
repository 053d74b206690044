/**
 * The structures of include/ndis.h that cross between the harness and a C driver, as the layout
 * model takes them. This table is what the spec must carry per structure (field names, field types
 * reduced to storage kinds, unions, packing); the generator will emit it next to the header.
 * `_anon_*` records are unnamed members.
 */
import {
  array,
  bool,
  handler,
  enumType,
  i32,
  i64,
  pointer,
  record,
  u16,
  u32,
  u64,
  u8,
  uptr,
  type RecordSpec,
} from './layout.js';

const start = { name: 'Start', type: record('LARGE_INTEGER') } as const;

export const NDIS_RECORDS: readonly RecordSpec[] = [
  {
    name: 'NDIS_OBJECT_HEADER',
    fields: [
      { name: 'Type', type: u8 },
      { name: 'Revision', type: u8 },
      { name: 'Size', type: u16 },
    ],
  },
  {
    name: '_anon_LARGE_INTEGER_parts',
    fields: [
      { name: 'LowPart', type: u32 },
      { name: 'HighPart', type: i32 },
    ],
  },
  {
    name: 'LARGE_INTEGER',
    union: true,
    fields: [
      { name: 'parts', type: record('_anon_LARGE_INTEGER_parts'), anonymous: true },
      { name: 'u', type: record('_anon_LARGE_INTEGER_parts') },
      { name: 'QuadPart', type: i64 },
    ],
  },
  {
    name: 'GROUP_AFFINITY',
    fields: [
      { name: 'Mask', type: u64 },
      { name: 'Group', type: u16 },
      { name: 'Reserved', type: array(u16, 3) },
    ],
  },
  {
    name: 'NDIS_SPIN_LOCK',
    fields: [
      { name: 'SpinLock', type: uptr },
      { name: 'OldIrql', type: u8 },
    ],
  },
  {
    name: 'UNICODE_STRING',
    fields: [
      { name: 'Length', type: u16 },
      { name: 'MaximumLength', type: u16 },
      { name: 'Buffer', type: pointer('WCHAR') },
    ],
  },
  { name: '_anon_CM_Generic', pack: 4, fields: [start, { name: 'Length', type: u32 }] },
  {
    name: '_anon_CM_Interrupt',
    pack: 4,
    fields: [
      { name: 'Level', type: u16 },
      { name: 'Group', type: u16 },
      { name: 'Vector', type: u32 },
      { name: 'Affinity', type: u64 },
    ],
  },
  {
    name: '_anon_CM_MessageRaw',
    pack: 4,
    fields: [
      { name: 'Group', type: u16 },
      { name: 'MessageCount', type: u16 },
      { name: 'Vector', type: u32 },
      { name: 'Affinity', type: u64 },
    ],
  },
  {
    name: '_anon_CM_MessageUnion',
    union: true,
    pack: 4,
    fields: [
      { name: 'Raw', type: record('_anon_CM_MessageRaw') },
      { name: 'Translated', type: record('_anon_CM_Interrupt') },
    ],
  },
  {
    name: '_anon_CM_MessageInterrupt',
    pack: 4,
    fields: [{ name: 'messages', type: record('_anon_CM_MessageUnion'), anonymous: true }],
  },
  { name: '_anon_CM_DevicePrivate', pack: 4, fields: [{ name: 'Data', type: array(u32, 3) }] },
  {
    name: '_anon_CM_u',
    union: true,
    pack: 4,
    fields: [
      { name: 'Generic', type: record('_anon_CM_Generic') },
      { name: 'Port', type: record('_anon_CM_Generic') },
      { name: 'Interrupt', type: record('_anon_CM_Interrupt') },
      { name: 'MessageInterrupt', type: record('_anon_CM_MessageInterrupt') },
      { name: 'Memory', type: record('_anon_CM_Generic') },
      { name: 'DevicePrivate', type: record('_anon_CM_DevicePrivate') },
    ],
  },
  {
    name: 'CM_PARTIAL_RESOURCE_DESCRIPTOR',
    pack: 4,
    fields: [
      { name: 'Type', type: u8 },
      { name: 'ShareDisposition', type: u8 },
      { name: 'Flags', type: u16 },
      { name: 'u', type: record('_anon_CM_u') },
    ],
  },
  {
    name: 'CM_PARTIAL_RESOURCE_LIST',
    pack: 4,
    fields: [
      { name: 'Version', type: u16 },
      { name: 'Revision', type: u16 },
      { name: 'Count', type: u32 },
      { name: 'PartialDescriptors', type: array(record('CM_PARTIAL_RESOURCE_DESCRIPTOR'), 1) },
    ],
  },
  {
    name: 'NDIS_MINIPORT_INIT_PARAMETERS',
    fields: [
      { name: 'Header', type: record('NDIS_OBJECT_HEADER') },
      { name: 'Flags', type: u32 },
      { name: 'AllocatedResources', type: pointer('NDIS_RESOURCE_LIST') },
      { name: 'IMDeviceInstanceContext', type: pointer('void') },
      { name: 'MiniportAddDeviceContext', type: pointer('void') },
      { name: 'IfIndex', type: u32 },
      { name: 'NetLuid', type: u64 },
      { name: 'DefaultPortAuthStates', type: pointer('NDIS_PORT_AUTHENTICATION_PARAMETERS') },
      { name: 'PciDeviceCustomProperties', type: pointer('NDIS_PCI_DEVICE_CUSTOM_PROPERTIES') },
    ],
  },
  {
    name: 'NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES',
    fields: [
      { name: 'Header', type: record('NDIS_OBJECT_HEADER') },
      { name: 'MiniportAdapterContext', type: pointer('void') },
      { name: 'AttributeFlags', type: u32 },
      { name: 'CheckForHangTimeInSeconds', type: u32 },
      { name: 'InterfaceType', type: enumType },
    ],
  },
  {
    name: 'IO_INTERRUPT_MESSAGE_INFO_ENTRY',
    fields: [
      { name: 'MessageAddress', type: record('LARGE_INTEGER') },
      { name: 'TargetProcessorSet', type: u64 },
      { name: 'InterruptObject', type: pointer('KINTERRUPT') },
      { name: 'MessageData', type: u32 },
      { name: 'Vector', type: u32 },
      { name: 'Irql', type: u8 },
      { name: 'Mode', type: enumType },
      { name: 'Polarity', type: enumType },
    ],
  },
  {
    name: 'IO_INTERRUPT_MESSAGE_INFO',
    fields: [
      { name: 'UnifiedIrql', type: u8 },
      { name: 'MessageCount', type: u32 },
      { name: 'MessageInfo', type: array(record('IO_INTERRUPT_MESSAGE_INFO_ENTRY'), 1) },
    ],
  },
  {
    name: 'NDIS_MINIPORT_DRIVER_CHARACTERISTICS',
    fields: [
      { name: 'Header', type: record('NDIS_OBJECT_HEADER') },
      { name: 'MajorNdisVersion', type: u8 },
      { name: 'MinorNdisVersion', type: u8 },
      { name: 'MajorDriverVersion', type: u8 },
      { name: 'MinorDriverVersion', type: u8 },
      { name: 'Flags', type: u32 },
      ...(
        [
          ['SetOptionsHandler', 'SET_OPTIONS'],
          ['InitializeHandlerEx', 'MINIPORT_INITIALIZE'],
          ['HaltHandlerEx', 'MINIPORT_HALT'],
          ['UnloadHandler', 'MINIPORT_UNLOAD'],
          ['PauseHandler', 'MINIPORT_PAUSE'],
          ['RestartHandler', 'MINIPORT_RESTART'],
          ['OidRequestHandler', 'MINIPORT_OID_REQUEST'],
          ['SendNetBufferListsHandler', 'MINIPORT_SEND_NET_BUFFER_LISTS'],
          ['ReturnNetBufferListsHandler', 'MINIPORT_RETURN_NET_BUFFER_LISTS'],
          ['CancelSendHandler', 'MINIPORT_CANCEL_SEND'],
          ['CheckForHangHandlerEx', 'MINIPORT_CHECK_FOR_HANG'],
          ['ResetHandlerEx', 'MINIPORT_RESET'],
          ['DevicePnPEventNotifyHandler', 'MINIPORT_DEVICE_PNP_EVENT_NOTIFY'],
          ['ShutdownHandlerEx', 'MINIPORT_SHUTDOWN'],
          ['CancelOidRequestHandler', 'MINIPORT_CANCEL_OID_REQUEST'],
        ] as const
      ).map(([name, role]) => ({ name, type: handler(role) })),
    ],
  },
  {
    name: 'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS',
    fields: [
      { name: 'Header', type: record('NDIS_OBJECT_HEADER') },
      { name: 'InterruptHandler', type: handler('MINIPORT_ISR') },
      { name: 'InterruptDpcHandler', type: handler('MINIPORT_INTERRUPT_DPC') },
      { name: 'DisableInterruptHandler', type: handler('MINIPORT_DISABLE_INTERRUPT') },
      { name: 'EnableInterruptHandler', type: handler('MINIPORT_ENABLE_INTERRUPT') },
      { name: 'MsiSupported', type: bool },
      { name: 'MsiSyncWithAllMessages', type: bool },
      { name: 'MessageInterruptHandler', type: handler('MINIPORT_MESSAGE_INTERRUPT') },
      { name: 'MessageInterruptDpcHandler', type: handler('MINIPORT_MESSAGE_INTERRUPT_DPC') },
      { name: 'DisableMessageInterruptHandler', type: handler('MINIPORT_DISABLE_MESSAGE_INTERRUPT') },
      { name: 'EnableMessageInterruptHandler', type: handler('MINIPORT_ENABLE_MESSAGE_INTERRUPT') },
      { name: 'InterruptType', type: enumType },
      { name: 'MessageInfoTable', type: pointer('IO_INTERRUPT_MESSAGE_INFO') },
    ],
  },
];

/** Handler fields of the records: field name → [record, role]. */
export function handlerFields(records: readonly RecordSpec[]): Map<string, readonly [string, string]> {
  const out = new Map<string, readonly [string, string]>();
  for (const r of records) {
    for (const f of r.fields) {
      if (f.type.kind === 'pointer' && f.type.role !== undefined) out.set(f.name, [r.name, f.type.role]);
    }
  }
  return out;
}
