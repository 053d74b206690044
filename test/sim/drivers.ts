/**
 * Drivers for the harness tests: one correct miniport for the fake device (line-based, or
 * message-based when the device offers messages), with hooks that replace one piece of it so a test
 * can break exactly one rule.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_DISABLE_MESSAGE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_ENABLE_MESSAGE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_MESSAGE_INTERRUPT,
  MINIPORT_MESSAGE_INTERRUPT_DPC,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type Box,
  type NDIS_HANDLE,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_SPIN_LOCK,
  type NDIS_STATUS,
  type NdisFunctions,
} from '@ddikit/ndis';
import {
  defineMiniport,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportDefinition,
  type SimResources,
} from '@ddikit/sim';

/** The driver's adapter context. */
export interface TestAdapter {
  readonly ndis: NdisFunctions;
  readonly resources: SimResources;
  readonly miniportHandle: NDIS_HANDLE;
  interrupt: NDIS_HANDLE;
  messageBased: boolean;
  messageCount: number;
  readonly lock: NDIS_SPIN_LOCK;
  readonly otherLock: NDIS_SPIN_LOCK;
  /** Causes the ISR saw and the DPC has not taken yet (ISR-shared state). */
  causes: number;
  /** Causes the DPCs handled (lock-protected). */
  handled: number;
  isrCalls: number;
  dpcCalls: number;
  /** Scratch for hooks. */
  notes: unknown[];
  /** The driver's declared functions, for hooks that call them directly. */
  readonly functions: TestFunctions;
}

export interface TestFunctions {
  readonly takeCauses: MINIPORT_SYNCHRONIZE_INTERRUPT;
  readonly enableInSync: MINIPORT_SYNCHRONIZE_INTERRUPT;
  readonly isr: MINIPORT_ISR;
  readonly dpc: MINIPORT_INTERRUPT_DPC;
  readonly messageDpc: MINIPORT_MESSAGE_INTERRUPT_DPC;
}

export interface Hooks {
  /** Changes the characteristics before registering. */
  readonly characteristics?: (chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, adapter: TestAdapter) => void;
  /** Runs at the end of MiniportInitializeEx (PASSIVE_LEVEL, interrupt registered and enabled). */
  readonly afterInitialize?: (adapter: TestAdapter) => void;
  /** What MiniportInitializeEx returns (default NDIS_STATUS_SUCCESS). */
  readonly initializeStatus?: (adapter: TestAdapter) => NDIS_STATUS;
  /** Replaces the line ISR's body. */
  readonly isr?: (adapter: TestAdapter, queueDpc: Box<boolean>, targets: Box<number>) => boolean;
  /** Replaces the message ISR's body. */
  readonly messageIsr?: (
    adapter: TestAdapter,
    messageId: number,
    queueDpc: Box<boolean>,
    targets: Box<number>,
  ) => boolean;
  /** Replaces the DPC's body (line and message). */
  readonly dpc?: (adapter: TestAdapter, messageId: number, dpcContext: unknown) => void;
  /** Replaces MiniportHaltEx's body. */
  readonly halt?: (adapter: TestAdapter) => void;
}

const ALL = 0xffffffff;

/** The correct driver, with optional hooks. */
export function testDriver(hooks: Hooks = {}, name = 'test-driver'): MiniportDefinition {
  return defineMiniport(name, (ndis) => {
    let adapter: TestAdapter;

    const takeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('TakeCauses', (context) => {
      const a = context as TestAdapter;
      const causes = a.causes;
      a.causes = 0;
      a.notes.push(causes);
      return causes !== 0;
    });
    const enableInSync = MINIPORT_SYNCHRONIZE_INTERRUPT('EnableInterrupts', (context) => {
      ndis.NdisWriteRegisterUlong((context as TestAdapter).resources.registers.MASK_SET!, ALL);
      return true;
    });

    const defaultDpc = (a: TestAdapter, messageId: number): void => {
      a.dpcCalls++;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, takeCauses, a);
      const taken = a.notes.pop() as number;
      ndis.NdisDprAcquireSpinLock(a.lock);
      a.handled |= taken;
      ndis.NdisDprReleaseSpinLock(a.lock);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, enableInSync, a);
    };

    const isr = MINIPORT_ISR('TestInterrupt', (context, queueDpc, targets) => {
      const a = context as TestAdapter;
      a.isrCalls++;
      if (hooks.isr) return hooks.isr(a, queueDpc, targets);
      const causes = a.resources.registers.CAUSE!.value;
      if (causes === 0) return false;
      a.causes |= causes;
      a.resources.registers.MASK_CLEAR!.value = ALL;
      queueDpc.value = true;
      return true;
    });
    const messageIsr = MINIPORT_MESSAGE_INTERRUPT('TestMessageInterrupt', (context, messageId, queueDpc, targets) => {
      const a = context as TestAdapter;
      a.isrCalls++;
      if (hooks.messageIsr) return hooks.messageIsr(a, messageId, queueDpc, targets);
      a.causes |= a.resources.registers.CAUSE!.value;
      a.resources.registers.MASK_CLEAR!.value = ALL;
      queueDpc.value = true;
      return true;
    });
    const dpc = MINIPORT_INTERRUPT_DPC('TestInterruptDpc', (context, dpcContext) => {
      const a = context as TestAdapter;
      if (hooks.dpc) {
        a.dpcCalls++;
        hooks.dpc(a, 0, dpcContext);
      } else defaultDpc(a, 0);
    });
    const messageDpc = MINIPORT_MESSAGE_INTERRUPT_DPC('TestMessageInterruptDpc', (context, messageId, dpcContext) => {
      const a = context as TestAdapter;
      if (hooks.dpc) {
        a.dpcCalls++;
        hooks.dpc(a, messageId, dpcContext);
      } else defaultDpc(a, messageId);
    });
    const disable = MINIPORT_DISABLE_INTERRUPT('TestDisableInterrupt', (context) => {
      (context as TestAdapter).resources.registers.MASK_CLEAR!.value = ALL;
    });
    const enable = MINIPORT_ENABLE_INTERRUPT('TestEnableInterrupt', (context) => {
      (context as TestAdapter).resources.registers.MASK_SET!.value = ALL;
    });
    const disableMessage = MINIPORT_DISABLE_MESSAGE_INTERRUPT('TestDisableMessageInterrupt', (context) => {
      (context as TestAdapter).resources.registers.MASK_CLEAR!.value = ALL;
    });
    const enableMessage = MINIPORT_ENABLE_MESSAGE_INTERRUPT('TestEnableMessageInterrupt', (context) => {
      (context as TestAdapter).resources.registers.MASK_SET!.value = ALL;
    });

    const MiniportInitializeEx = MINIPORT_INITIALIZE(
      'TestInitializeEx',
      (miniportHandle, _driverContext, parameters) => {
        const resources = resourcesOf(parameters);
        adapter = {
          ndis,
          resources,
          miniportHandle,
          interrupt: null,
          messageBased: false,
          messageCount: 1,
          lock: {},
          otherLock: {},
          causes: 0,
          handled: 0,
          isrCalls: 0,
          dpcCalls: 0,
          notes: [],
          functions: { takeCauses, enableInSync, isr, dpc, messageDpc },
        };
        // What the tests read back, not the driver's state: every DPC counts itself, unlocked, even
        // where two run at once (NdisMQueueDpcEx on two processors, an ISR that masks nothing).
        resources.untracked(adapter, 'dpcCalls');
        ndis.NdisAllocateSpinLock(adapter.lock);
        ndis.NdisAllocateSpinLock(adapter.otherLock);
        const chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: isr,
          InterruptDpcHandler: dpc,
          DisableInterruptHandler: disable,
          EnableInterruptHandler: enable,
          MsiSupported: resources.messageCount > 0,
          MsiSyncWithAllMessages: false,
          MessageInterruptHandler: messageIsr,
          MessageInterruptDpcHandler: messageDpc,
          DisableMessageInterruptHandler: disableMessage,
          EnableMessageInterruptHandler: enableMessage,
        };
        hooks.characteristics?.(chars, adapter);
        const handle: Box<NDIS_HANDLE> = { value: null };
        const status = ndis.NdisMRegisterInterruptEx(miniportHandle, adapter, chars, handle);
        if (status !== NDIS_STATUS_SUCCESS) return status;
        adapter.interrupt = handle.value;
        adapter.messageBased = chars.InterruptType === NDIS_CONNECT_MESSAGE_BASED;
        adapter.messageCount = adapter.messageBased ? (chars.MessageInfoTable?.MessageCount ?? 1) : 1;
        setMiniportAdapterContext(miniportHandle, adapter);
        ndis.NdisWriteRegisterUlong(resources.registers.MASK_SET!, ALL);
        hooks.afterInitialize?.(adapter);
        return hooks.initializeStatus ? hooks.initializeStatus(adapter) : NDIS_STATUS_SUCCESS;
      },
    );

    const MiniportHaltEx = MINIPORT_HALT('TestHaltEx', (context) => {
      const a = context as TestAdapter;
      if (hooks.halt) {
        hooks.halt(a);
        return;
      }
      ndis.NdisWriteRegisterUlong(a.resources.registers.MASK_CLEAR!, ALL);
      ndis.NdisMDeregisterInterruptEx(a.interrupt);
      ndis.NdisFreeSpinLock(a.lock);
      ndis.NdisFreeSpinLock(a.otherLock);
    });

    return { MiniportInitializeEx, MiniportHaltEx };
  });
}
