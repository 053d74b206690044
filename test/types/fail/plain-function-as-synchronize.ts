// expect-error TS2345: Type '(SynchronizeContext: unknown) => boolean' is not assignable to type '{ readonly [ROLE]: "MINIPORT_SYNCHRONIZE_INTERRUPT"; }'
// A function not declared with a role is not a MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER, even with the
// right signature (C: Code Analysis warning C28023, missing _Function_class_).
import type { NdisFunctions } from '@ddikit/ndis';

declare const ndis: NdisFunctions;

const plainSynchronize = (SynchronizeContext: unknown): boolean => SynchronizeContext !== null;

ndis.NdisMSynchronizeWithInterruptEx(null, 0, plainSynchronize, null); // @error
