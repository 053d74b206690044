/**
 * The shape of the annotation metadata (src/generated/metadata.js and metadata.json). Hand-written:
 * the generator renders values of these types.
 */
import type { RuleId } from './generated/rules.js';

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
  /** The C type name; `unknown` where the reference page states no type (imported entries). */
  readonly type: string;
  /** null where the reference page marks no direction (imported entries). */
  readonly direction: Direction | null;
  readonly optional: boolean;
  /** `_In_`, `_Out_`, `_Inout_`, `_In_opt_`, …; null when the direction is unknown. */
  readonly sal: string | null;
}

/**
 * One conditional contract. Either a parameter test (SAL _When_): `param` equals `equals`; or a
 * condition stated in words (`condition`, with `param` and `equals` null) that no argument shows,
 * such as the kind of memory passed: it applies only where the caller states it.
 */
export interface IrqlConditionMeta {
  readonly param: string | null;
  readonly equals: string | number | boolean | null;
  /** The condition in words; present (and param null) only for a condition that is no parameter value. */
  readonly condition?: string;
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
  /**
   * Conditional contracts: where param equals the value (SAL _When_), or where a condition stated in
   * words holds, min..max of the branch applies instead.
   */
  readonly when: readonly IrqlConditionMeta[];
  /** Why min and max are null (the reference page states no level the importer could read). */
  readonly reason: string | null;
}

interface EntryMeta {
  readonly name: string;
  readonly header: string;
  /** The first NDIS version; null where an imported page states none. */
  readonly since: string | null;
  /** Spec file and line the entry comes from. */
  readonly provenance: string;
}

export interface ReturnsMeta {
  /** The C type name; `unknown` where the reference page states no return type. */
  readonly type: string;
}

export interface RoleMeta extends EntryMeta {
  /** The conventional function name (MiniportInterrupt); null where the reference page names none. */
  readonly function: string | null;
  /**
   * The C type of a pointer to a function of the role: the header's typedef (MINIPORT_ISR_HANDLER),
   * or `ROLE *` (`MINIPORT_PAUSE *`) where the reference does not name the typedef.
   */
  readonly pointer: string;
  readonly interrupt: 'line' | 'message' | null;
  readonly params: readonly ParamMeta[];
  readonly returns: ReturnsMeta;
  readonly sal: readonly string[];
  readonly irql: IrqlMeta;
  readonly abi: AbiMeta | null;
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
  readonly abi: AbiMeta | null;
  readonly rules: readonly string[];
  readonly compliance: readonly string[];
}

export interface FieldMeta {
  readonly name: string;
  /** The C type name; `unknown` for imported structures (the reference states no field types) and for members declared in place. */
  readonly type: string;
  readonly count: number | null;
  readonly optional: boolean;
  /** A structure or union declared in place (CM_PARTIAL_RESOURCE_DESCRIPTOR.u): its fields. */
  readonly members?: readonly FieldMeta[];
  /** The members form a union. */
  readonly union?: true;
  /** C declares the member without a name; its fields are reached as the enclosing record's. */
  readonly anonymous?: true;
  /** A bit-field's width. */
  readonly width?: number;
}

export interface EnumValueMeta {
  readonly name: string;
  /** null where the reference page states no value. */
  readonly value: number | null;
}

export interface TypeMeta extends EntryMeta {
  readonly kind: 'scalar' | 'handle' | 'pointer' | 'struct' | 'enum' | 'void';
  readonly bits: number | null;
  readonly signed: boolean | null;
  readonly to: string | null;
  /** A scalar as wide as a pointer (ULONG_PTR): 32 bits on wasm32, 64 on x64; bits is the x64 width. */
  readonly pointerSized?: true;
  /** The structure or union C declares a scalar as (PHYSICAL_ADDRESS is a LARGE_INTEGER). */
  readonly record?: string;
  /** A struct that is a union. */
  readonly union?: true;
  /** The #pragma pack of a struct. */
  readonly pack?: number;
  readonly fields: readonly FieldMeta[];
  readonly values: readonly EnumValueMeta[];
}

/** The targets the layouts are computed for: wasm32 (the harness) and x64 Windows (the syntax pass). */
export type LayoutTarget = 'wasm32' | 'x64';

/** How a value lies in memory: what the harness reads and writes. */
export type StorageKind =
  | 'u8'
  | 'i8'
  | 'bool'
  | 'u16'
  | 'i16'
  | 'u32'
  | 'i32'
  | 'u64'
  | 'i64'
  | 'uptr'
  | 'iptr'
  | 'enum'
  | 'pointer'
  | 'handler'
  | 'record';

export interface FieldLayoutMeta {
  /** Dotted from the outer record (`u.Memory.Start`); an anonymous member adds no segment. */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  /** The spec type; null for a member declared in place. */
  readonly type: string | null;
  readonly storage: StorageKind;
  readonly count: number | null;
  /** A bit-field's first bit in the unit at offset, and its width. */
  readonly bit: { readonly offset: number; readonly width: number } | null;
  /** The role of the function a handler field holds. */
  readonly role: string | null;
  /** The structure the field holds by value or points to. */
  readonly record: string | null;
}

export interface RecordLayoutMeta {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  /** Every field, those of records held by value and of members declared in place included. */
  readonly fields: readonly FieldLayoutMeta[];
}

/** How one value crosses between a wasm32 driver and the harness. */
export interface ValueAbiMeta {
  readonly wasm: 'i32' | 'i64' | 'f64';
  /** A 64-bit integer: a BigInt in JavaScript. */
  readonly bits64: boolean;
  /** A structure passed by value: it crosses as the address of a copy. */
  readonly byReference: boolean;
  /** The structure the value is, points to, or is passed as. */
  readonly record: string | null;
}

export interface ParamAbiMeta extends ValueAbiMeta {
  readonly name: string;
  readonly direction: Direction | null;
  /** The role of the function a handler parameter takes. */
  readonly handler: string | null;
}

/** The wasm32 call ABI of a DDI or role; null where the spec does not know the prototype. */
export interface AbiMeta {
  readonly params: readonly ParamAbiMeta[];
  /** null for VOID. */
  readonly returns: ValueAbiMeta | null;
}

/** One way a rule is reported: a bug-check code and its first parameter. */
export interface BugCheckMeta {
  readonly code: number;
  /** The bug check's name, such as DRIVER_VERIFIER_DETECTED_VIOLATION. */
  readonly name: string;
  /** Parameter 1; null where the harness computes it from the violation (0xC8 packs IRQLs into it). */
  readonly p1: number | null;
  /** When this form applies. */
  readonly when: string;
  /** What parameters 2–4 hold. */
  readonly parameters: string;
}

/** A contract rule of the harness, as the rule table (spec/rules.yaml) states it. */
export interface RuleMeta {
  readonly id: RuleId;
  readonly title: string;
  /** One line: what fires the rule, then the bug check it stands for. */
  readonly summary: string;
  readonly severity: 'error' | 'warning';
  /** Where the rule comes from (SAL, SDV rule, Driver Verifier check, documentation page). */
  readonly source: string;
  /** The bug-check forms; empty for warnings. */
  readonly bugChecks: readonly BugCheckMeta[];
  /** A Static Driver Verifier DDI compliance rule and its 0xC4 code, where one corresponds. */
  readonly compliance: { readonly rule: string; readonly code: number } | null;
}

export interface Metadata {
  readonly roles: readonly RoleMeta[];
  readonly functions: readonly FunctionMeta[];
  readonly types: readonly TypeMeta[];
  /** The contract rules of the harness, sorted by id. */
  readonly rules: readonly RuleMeta[];
  /** Every structure of known layout, per target, sorted by name. */
  readonly layouts: { readonly [target in LayoutTarget]: readonly RecordLayoutMeta[] };
}
