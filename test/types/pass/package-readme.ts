/** The smallest example of packages/ndis/README.md, as written there. */
import { MINIPORT_SYNCHRONIZE_INTERRUPT, functionContract, type NdisFunctions } from '@ddikit/ndis';

const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', (SynchronizeContext) => {
  void SynchronizeContext;
  return true;
});

export function reenable(ndis: NdisFunctions, interrupt: unknown, context: unknown): boolean {
  return ndis.NdisMSynchronizeWithInterruptEx(interrupt, 0, MySynchronizeInterrupt, context);
}

export const contract = functionContract('NdisMSynchronizeWithInterruptEx')?.irql;
