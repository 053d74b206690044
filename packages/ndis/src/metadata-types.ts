/**
 * The shape of the annotation metadata (src/generated/metadata.ts and metadata.json). Hand-written:
 * the generator renders values of these types.
 */

export type LevelName =
  | 'PASSIVE_LEVEL'
  | 'APC_LEVEL'
  | 'DISPATCH_LEVEL'
  | 'DIRQL'
  | 'CLOCK_LEVEL'
  | 'IPI_LEVEL'
  | 'POWER_LEVEL'
  | 'HIGH_LEVEL';

export type Direction = 'in' | 'out' | 'inout';

export interface ParamMeta {
  readonly name: string;
  /** The C type name. */
  readonly type: string;
  readonly direction: Direction;
  readonly optional: boolean;
  /** `_In_`, `_Out_`, `_Inout_`, `_In_opt_`, … */
  readonly sal: string;
}

export interface IrqlConditionMeta {
  readonly param: string;
  readonly equals: string | number | boolean;
  readonly min: LevelName;
  readonly max: LevelName;
}

export interface IrqlMeta {
  /** Lowest level a caller may be at; null only when the contract is unknown (see reason). */
  readonly min: LevelName | null;
  /** Highest level a caller may be at; null only when the contract is unknown (see reason). */
  readonly max: LevelName | null;
  /** IRQL on return equals IRQL on entry. */
  readonly same: boolean;
  /** The call returns at this level (a raise). */
  readonly raisesTo: LevelName | null;
  /** The parameter in which the call saves the entry IRQL. */
  readonly saves: string | null;
  /** The parameter from which the call restores a saved IRQL. */
  readonly restores: string | null;
  /** Conditional contracts (SAL _When_): where param equals the value, min..max applies instead. */
  readonly when: readonly IrqlConditionMeta[];
  /** Why min and max are null. */
  readonly reason: string | null;
}

interface EntryMeta {
  readonly name: string;
  readonly header: string;
  readonly since: string;
  /** Spec file and line the entry comes from. */
  readonly provenance: string;
}

export interface ReturnsMeta {
  readonly type: string;
}

export interface RoleMeta extends EntryMeta {
  readonly function: string;
  readonly pointer: string;
  readonly interrupt: 'line' | 'message' | null;
  readonly params: readonly ParamMeta[];
  readonly returns: ReturnsMeta;
  readonly sal: readonly string[];
  readonly irql: IrqlMeta;
  /** anyLevel: may call only DDIs callable at any IRQL; contract: any DDI whose contract the level meets. */
  readonly mayCall: 'anyLevel' | 'contract';
  readonly invokedBy: readonly string[];
  readonly registeredIn: string | null;
  readonly variants: readonly string[];
  readonly variantOf: string | null;
  readonly rules: readonly string[];
}

export interface FunctionMeta extends EntryMeta {
  readonly macro: boolean;
  readonly params: readonly ParamMeta[];
  readonly returns: ReturnsMeta;
  readonly sal: readonly string[];
  readonly irql: IrqlMeta;
  readonly rules: readonly string[];
  readonly compliance: readonly string[];
}

export interface FieldMeta {
  readonly name: string;
  readonly type: string;
  readonly count: number | null;
  readonly optional: boolean;
}

export interface EnumValueMeta {
  readonly name: string;
  readonly value: number;
}

export interface TypeMeta extends EntryMeta {
  readonly kind: 'scalar' | 'handle' | 'pointer' | 'struct' | 'enum' | 'void';
  readonly bits: number | null;
  readonly signed: boolean | null;
  readonly to: string | null;
  readonly fields: readonly FieldMeta[];
  readonly values: readonly EnumValueMeta[];
}

export interface Metadata {
  readonly roles: readonly RoleMeta[];
  readonly functions: readonly FunctionMeta[];
  readonly types: readonly TypeMeta[];
}
