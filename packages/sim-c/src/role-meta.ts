/**
 * What the C runtime reads from the generated metadata and the record table: each role's parameters
 * (which are out parameters, what it returns) and the wasm32 layout of every structure.
 */
import { metadata } from '@ddikit/ndis';
import { computeLayouts, type RecordLayout } from './layout.js';
import { NDIS_RECORDS } from './ndis-records.js';

export interface RoleParamMeta {
  readonly name: string;
  readonly type: string;
  readonly direction: 'in' | 'out' | 'inout';
}

export interface RoleMeta {
  readonly name: string;
  readonly params: readonly RoleParamMeta[];
  readonly returns: { readonly type: string };
  /** Roles accepted wherever this one is (the MESSAGE variant of a synchronize function). */
  readonly variants: readonly string[];
}

const METADATA = metadata as unknown as { roles: readonly RoleMeta[] };

/** Role name → its parameters and result. */
export const ROLE_META: ReadonlyMap<string, RoleMeta> = new Map(METADATA.roles.map((r) => [r.name, r]));

/** Role name → the roles a place that takes it also accepts (its variants). */
export const ROLE_VARIANTS: ReadonlyMap<string, readonly string[]> = new Map(
  METADATA.roles.map((r) => [r.name, r.variants ?? []]),
);

/** The structures the harness reads and writes in driver memory, laid out for wasm32. */
export const WASM32_LAYOUTS: ReadonlyMap<string, RecordLayout> = computeLayouts(NDIS_RECORDS, 'wasm32');
