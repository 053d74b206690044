/** The annotation metadata and its types, as tools that read contracts use them. */
import {
  metadata,
  roleContract,
  type ROLE,
  type LevelName,
  type Metadata,
  type RoleMeta,
  type MINIPORT_SYNCHRONIZE_INTERRUPT,
} from '@ddikit/ndis';
import type { FunctionMeta, IrqlMeta } from '@ddikit/ndis';

const all: Metadata = metadata;
const sync: RoleMeta | undefined = roleContract('MINIPORT_SYNCHRONIZE_INTERRUPT');
const level: LevelName | null = sync?.irql.min ?? null;
const synchronizeDdi: FunctionMeta | undefined = all.functions.find(
  (f) => f.name === 'NdisMSynchronizeWithInterruptEx',
);
const irql: IrqlMeta | undefined = synchronizeDdi?.irql;

// The role name carried by a declared function is its type-level brand too.
const brand: MINIPORT_SYNCHRONIZE_INTERRUPT[typeof ROLE] = 'MINIPORT_SYNCHRONIZE_INTERRUPT';

export const summary = [level, irql?.max ?? null, brand, all.roles.length] as const;
