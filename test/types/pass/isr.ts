/** Interrupt service routines write their out parameters through boxes (C's `*QueueDefaultInterruptDpc = TRUE`). */
import {
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_MESSAGE_INTERRUPT,
  type Box,
  type MINIPORT_ISR_HANDLER,
  type MINIPORT_MSI_ISR_HANDLER,
  type PBOOLEAN,
  type ULONG,
} from '@ddikit/ndis';

interface Adapter {
  causes: number;
}

export const MyInterrupt = MINIPORT_ISR(
  'MyInterrupt',
  (MiniportInterruptContext, QueueDefaultInterruptDpc, TargetProcessors) => {
    const adapter = MiniportInterruptContext as Adapter;
    if (adapter.causes === 0) return false; // a shared line: not ours
    QueueDefaultInterruptDpc.value = true;
    TargetProcessors.value = 0;
    return true;
  },
);

export const MyMessageInterrupt = MINIPORT_MESSAGE_INTERRUPT(
  'MyMessageInterrupt',
  (MiniportInterruptContext, MessageId, QueueDefaultInterruptDpc, TargetProcessors) => {
    const queue: PBOOLEAN = QueueDefaultInterruptDpc;
    queue.value = MessageId === 0 && MiniportInterruptContext !== undefined;
    TargetProcessors.value |= 1 << MessageId;
    return true;
  },
);

// A VOID role returns nothing.
export const MyInterruptDpc = MINIPORT_INTERRUPT_DPC('MyInterruptDpc', (MiniportInterruptContext) => {
  (MiniportInterruptContext as Adapter).causes = 0;
});

// The caller side, as NDIS (or the simulator) calls an ISR: boxes in, values out.
export function callIsr(isr: MINIPORT_ISR_HANDLER, messageIsr: MINIPORT_MSI_ISR_HANDLER): [boolean, boolean, ULONG] {
  const queueDpc: Box<boolean> = { value: false };
  const targets: Box<ULONG> = { value: 0 };
  const claimed = isr({ causes: 1 }, queueDpc, targets);
  messageIsr({ causes: 1 }, 0, queueDpc, targets);
  return [claimed, queueDpc.value, targets.value];
}

callIsr(MyInterrupt, MyMessageInterrupt);
