// expect-error TS2322: Type 'MINIPORT_SYNCHRONIZE_INTERRUPT' is not assignable to type 'MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT'
// The message handler typedef is strict: it takes only functions declared with
// MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT, not the line-based role (the reverse direction is allowed:
// MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER accepts both).
import { MINIPORT_SYNCHRONIZE_INTERRUPT, type MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER } from '@ddikit/ndis';

const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', () => true);

export const handler: MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER = MySynchronizeInterrupt; // @error
