/**
 * Trips SYNC-MESSAGE-ID — bug check 0xC4, P1 0xDD02 (ddikit): NdisMSynchronizeWithInterruptEx gets
 * a MessageId past the last message NDIS granted.
 *
 * The driver asks for MSI-X and, at the end of MiniportInitializeEx, unmasks "every message" with a
 * loop that runs one past the end (`<=` for `<`). MessageId indexes the message table NDIS returned
 * in MessageInfoTable; an index beyond MessageCount reads past the table, and the DDI synchronizes
 * with no message at all. Loop to MessageCount - 1.
 *
 * In collect mode the call with the bad MessageId returns FALSE and the run goes on. Granted a line
 * interrupt (--interrupt line), NDIS ignores MessageId and the bug stays hidden.
 *
 * Run: ddikit simulate examples/broken/sync-message-id.ts
 */
import { MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT } from '@ddikit/ndis';
import { brokenE1000, type Adapter } from './_e1000.js';

/** The SynchronizeContext of EnableMessage: the adapter and the message to unmask. */
interface MessageContext {
  readonly adapter: Adapter;
  readonly id: number;
}

/** Unmasks one message's causes; this driver routes every cause to message 0. */
const EnableMessage = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('E1000EnableMessage', (SynchronizeContext) => {
  const { adapter, id } = SynchronizeContext as MessageContext;
  if (id !== 0 || adapter.halting) return false;
  adapter.interruptsEnabled = true;
  adapter.regs.IMS.value = adapter.enabledCauses;
  return true;
});

export default brokenE1000('broken-sync-message-id', {
  messageBased: true,
  enableInterrupts: (a) => {
    for (let id = 0; id <= a.messageCount; id++) {
      // the bug: `<=` reaches MessageId == MessageCount
      a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, id, EnableMessage, { adapter: a, id });
    }
  },
});
