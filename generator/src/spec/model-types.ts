/**
 * The shape of the model: one typed value that every output renders from. Every name, annotation
 * string and type text a template needs is here, precomputed; templates only lay them out.
 */
import type { RuleModel } from './rules.js';
import type { Direction, LevelName, TypeKind } from './spec-types.js';

export interface Provenance {
  /** Spec file, relative, forward slashes. */
  file: string;
  line: number;
}

export interface IrqlCondition {
  /** The parameter tested; null for a condition stated in words (`condition`). */
  param: string | null;
  equals: string | number | boolean | null;
  /** `equals` as C writes it (`TRUE` for true, `4` for 4); null for a condition stated in words. */
  equalsC: string | null;
  /** A condition that is no parameter value ("canceling periodic timer"); null for a parameter test. */
  condition: string | null;
  min: LevelName;
  max: LevelName;
  /** The SAL text, e.g. `_When_(Flags == 1, _IRQL_requires_(PASSIVE_LEVEL))`; null where SAL cannot state the condition. */
  sal: string | null;
  /** Human text, e.g. "exactly PASSIVE_LEVEL when Flags is 1". */
  text: string;
}

export interface IrqlModel {
  /** Lowest level a caller may be at (PASSIVE_LEVEL when unbounded below); null only when unknown. */
  min: LevelName | null;
  /** Highest level a caller may be at (HIGH_LEVEL when unbounded above); null only when unknown. */
  max: LevelName | null;
  /** min == max. */
  exact: boolean;
  /** Callable at any level. */
  any: boolean;
  same: boolean;
  raisesTo: LevelName | null;
  saves: string | null;
  restores: string | null;
  when: IrqlCondition[];
  note: string | null;
  /** Why the contract is unknown (min and max null); null when known. */
  reason: string | null;
  /**
   * The bounds the harness enforces where the caller states no condition: min..max narrowed by every
   * branch whose condition is stated in words (the strictest branch); null when unknown.
   */
  enforced: { min: LevelName; max: LevelName } | null;
  /** One line for people: "exactly DIRQL; IRQL unchanged on return". */
  text: string;
  /** Function-level SAL annotations that express the contract, in order. */
  sal: string[];
}

export interface TypeRefModel {
  /** The spec type name (C spelling); `unknown` where the spec states no type. */
  name: string;
  /** type | role pointer | not stated (an imported entry whose page gives no type). */
  kind: TypeKind | 'rolePointer' | 'unknown';
  /** TypeScript type text for this use (already includes `| null` for optional parameters). */
  ts: string;
  /** C type text. */
  c: string;
}

export interface ParamModel {
  name: string;
  type: TypeRefModel;
  /** null where an imported page marks no direction. */
  direction: Direction | null;
  optional: boolean;
  /** `_In_`, `_Out_`, `_Inout_`, `_In_opt_`, …; null when the direction is unknown. */
  sal: string | null;
  description: string | null;
  /** True when the last parameter (for comma placement in templates). */
  last: boolean;
}

export interface ReturnsModel {
  /** Kind `unknown` where an imported page states no return type. */
  type: TypeRefModel;
  void: boolean;
  description: string | null;
}

interface EntryBase {
  name: string;
  header: string;
  /** null where an imported page states no version the importer reads. */
  since: string | null;
  family: string;
  description: string | null;
  remarks: string[];
  rules: string[];
  compliance: string[];
  seeAlso: string[];
  provenance: Provenance;
  /** Lower-case file stem for pages and scaffolds (miniport_synchronize_interrupt). */
  stem: string;
  /** curated: from a curated file only; imported: from an imported file only; merged: a curated entry over an imported one. */
  origin: 'curated' | 'imported' | 'merged';
  /** The reference page an imported (or merged) entry came from; null otherwise. */
  page: string | null;
}

export interface RoleModel extends EntryBase {
  kind: 'role';
  /** Conventional function name in the reference (MiniportSynchronizeInterrupt); null where the page names none. */
  function: string | null;
  /** The pointer typedef (MINIPORT_ISR_HANDLER); null where the reference does not name it. */
  pointer: string | null;
  /** The C type of a pointer to a function of the role: the typedef, or `ROLE *` where it is not named. */
  pointerC: string;
  interrupt: 'line' | 'message' | null;
  params: ParamModel[];
  returns: ReturnsModel;
  irql: IrqlModel;
  mayCall: 'anyLevel' | 'contract';
  invokedBy: string[];
  registeredIn: string | null;
  /** Names of the variants of this role (empty for a variant itself). */
  variants: string[];
  /** The base role when this entry is a variant. */
  variantOf: string | null;
  /** Roles whose declared functions the pointer typedef accepts: itself and its variants. */
  accepts: string[];
  /** Function-level SAL: `_Function_class_(NAME)` then the IRQL annotations. */
  sal: string[];
  /** TypeScript signature text `(SynchronizeContext: NDIS_HANDLE) => BOOLEAN`. */
  tsSignature: string;
  /** C parameter list text for prototypes `_In_ NDIS_HANDLE SynchronizeContext` (or `VOID`). */
  cParams: string;
  /** Every parameter type and direction and the return type are known, so C can declare it. */
  prototype: boolean;
}

export interface FunctionModel extends EntryBase {
  kind: 'function';
  macro: boolean;
  params: ParamModel[];
  returns: ReturnsModel;
  irql: IrqlModel;
  sal: string[];
  tsSignature: string;
  cParams: string;
  /** Every parameter type and direction and the return type are known, so C can declare it. */
  prototype: boolean;
}

export interface FieldModel {
  name: string;
  /** Kind `unknown` for a field declared in place (see members) and where an imported page states no type. */
  type: TypeRefModel;
  count: number | null;
  optional: boolean;
  /** A structure or union declared in place (CM_PARTIAL_RESOURCE_DESCRIPTOR.u): its fields; null otherwise. */
  members: FieldModel[] | null;
  /** The members form a union. */
  union: boolean;
  /** C declares the member without a name: its fields are reached as fields of the enclosing record. */
  anonymous: boolean;
  /** A bit-field's width; null for an ordinary field. */
  width: number | null;
  description: string | null;
}

export interface SizeMacroModel {
  name: string;
  /** The last field of the revision. */
  through: string;
}

export interface EnumValueModel {
  name: string;
  /** null where an imported page states no value. */
  value: number | null;
  description: string | null;
}

export interface TypeModel extends EntryBase {
  kind: 'type';
  typeKind: TypeKind;
  /** C fallback base type for scalars and handles; C tag for structs and enums. */
  c: string | null;
  tag: string | null;
  /** TypeScript type text of the alias's right-hand side. */
  ts: string;
  bits: number | null;
  signed: boolean | null;
  /** A scalar as wide as a pointer: 32 bits on wasm32, 64 on x64 (bits states the x64 width). */
  pointerSized: boolean;
  /** The structure or union C declares a scalar as (PHYSICAL_ADDRESS is a LARGE_INTEGER); null otherwise. */
  record: string | null;
  /** Pointee for pointers; for a handle, the structure C sees through it (null: void). */
  to: string | null;
  /** A struct that is a union. */
  union: boolean;
  /** The `#pragma pack` in force for a struct; null for the default. */
  pack: number | null;
  /** The size macros of a struct's revisions. */
  sizes: SizeMacroModel[];
  fields: FieldModel[];
  values: EnumValueModel[];
  opaque: boolean;
  /** Every field type (structs) or member value (enums) is known, so C can define it. */
  complete: boolean;
}

export interface ConstantModel extends EntryBase {
  kind: 'constant';
  type: string;
  /** C expression text, e.g. `((NDIS_STATUS)0xC0000001L)`. */
  c: string;
  /** TypeScript literal, e.g. `-1073741823` (two's complement for signed types) or `0x84`. */
  ts: string;
  /** The numeric value as TypeScript sees it. */
  value: number | bigint;
}

export type EntryModel = TypeModel | RoleModel | FunctionModel | ConstantModel;

export interface Model {
  /** Spec files the model was built from, sorted (for provenance headers). */
  sources: string[];
  headers: string[];
  /** Types sorted by name. */
  types: TypeModel[];
  /** Types in an order where each comes after the types it needs by value (for C). */
  typesInCOrder: TypeModel[];
  /** Roles and variants sorted by name. */
  roles: RoleModel[];
  /** Functions sorted by name. */
  functions: FunctionModel[];
  /** Constants sorted by name. */
  constants: ConstantModel[];
  /** Every entry by name. */
  byName: ReadonlyMap<string, EntryModel>;
  /** The contract rules of the harness (the rule table), sorted by id. */
  rules: RuleModel[];
}
