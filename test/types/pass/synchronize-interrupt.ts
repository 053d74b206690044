/**
 * The WDK's declaration pattern for synchronize functions: declare with the role, hand the declared
 * function to NdisMSynchronizeWithInterruptEx. Both the line-based role and its message variant are
 * accepted where MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER is expected.
 */
import {
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT,
  type MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
  type MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER,
  type NdisFunctions,
} from '@ddikit/ndis';

interface Adapter {
  interruptHandle: unknown;
  pendingCauses: number;
}

const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', (SynchronizeContext) => {
  const adapter = SynchronizeContext as Adapter;
  adapter.pendingCauses = 0;
  return true;
});

const MySynchronizeMessageInterrupt = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT(
  'MySynchronizeMessageInterrupt',
  (SynchronizeContext) => {
    return SynchronizeContext !== null;
  },
);

// The declared functions have the role types, as in C's `MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;`.
const declared: MINIPORT_SYNCHRONIZE_INTERRUPT = MySynchronizeInterrupt;

// The line-based handler accepts both roles; the message handler accepts the message role.
const lineHandlers: MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER[] = [declared, MySynchronizeMessageInterrupt];
const messageHandler: MINIPORT_SYNCHRONIZE_MSI_INTERRUPT_HANDLER = MySynchronizeMessageInterrupt;

export function resetCauses(ndis: NdisFunctions, adapter: Adapter): boolean {
  const synchronize: NdisFunctions['NdisMSynchronizeWithInterruptEx'] = ndis.NdisMSynchronizeWithInterruptEx;
  const line: boolean = synchronize(adapter.interruptHandle, 0, MySynchronizeInterrupt, adapter);
  const message: boolean = synchronize(adapter.interruptHandle, 1, MySynchronizeMessageInterrupt, adapter);
  return line && message && lineHandlers.length === 2 && messageHandler === MySynchronizeMessageInterrupt;
}

// A declared function is still a function of its signature: callable directly.
export const direct: boolean = MySynchronizeInterrupt({ interruptHandle: null, pendingCauses: 1 });
