/** Filling NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS with declared handlers, constants and enum members. */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_INTERRUPT_TYPE,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_FAILURE,
  NDIS_STATUS_SUCCESS,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_STATUS,
  type NdisFunctions,
} from '@ddikit/ndis';

declare const ndis: NdisFunctions;

const MyInterrupt = MINIPORT_ISR('MyInterrupt', (_context, queueDpc) => {
  queueDpc.value = true;
  return true;
});
const MyInterruptDpc = MINIPORT_INTERRUPT_DPC('MyInterruptDpc', () => {});
const MyDisableInterrupt = MINIPORT_DISABLE_INTERRUPT('MyDisableInterrupt', () => {});
const MyEnableInterrupt = MINIPORT_ENABLE_INTERRUPT('MyEnableInterrupt', () => {});

export const MyInitializeEx = MINIPORT_INITIALIZE(
  'MyInitializeEx',
  (NdisMiniportHandle, MiniportDriverContext, MiniportInitParameters) => {
    const characteristics: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
      Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
      InterruptHandler: MyInterrupt,
      InterruptDpcHandler: MyInterruptDpc,
      DisableInterruptHandler: MyDisableInterrupt,
      EnableInterruptHandler: MyEnableInterrupt,
      MsiSupported: false,
      MsiSyncWithAllMessages: false,
      MessageInterruptHandler: null,
    };
    const handle = { value: null as unknown };
    const status: NDIS_STATUS = ndis.NdisMRegisterInterruptEx(
      NdisMiniportHandle,
      MiniportDriverContext,
      characteristics,
      handle,
    );
    if (status !== NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE;
    // NDIS reports what it granted; the enum's const object and its member constants both work.
    const granted: NDIS_INTERRUPT_TYPE | null | undefined = characteristics.InterruptType;
    if (granted === NDIS_CONNECT_MESSAGE_BASED) {
      const table = characteristics.MessageInfoTable;
      if (table && table.MessageCount > 0) return NDIS_STATUS_SUCCESS;
    }
    if (granted === NDIS_INTERRUPT_TYPE.NDIS_CONNECT_LINE_BASED) return NDIS_STATUS_SUCCESS;
    return MiniportInitParameters.IfIndex >= 0 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
  },
);
