// expect-error TS2322: is not assignable to type 'MINIPORT_ISR'
// A characteristics structure takes only declared handlers: a plain function as InterruptHandler fails.
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_INTERRUPT_DPC,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
} from '@ddikit/ndis';

export const characteristics: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
  Header: { Type: 0x84, Revision: 1, Size: 0 },
  InterruptHandler: () => true, // @error
  InterruptDpcHandler: MINIPORT_INTERRUPT_DPC('MyInterruptDpc', () => {}),
  DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('MyDisableInterrupt', () => {}),
  EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('MyEnableInterrupt', () => {}),
  MsiSupported: false,
  MsiSyncWithAllMessages: false,
};
