/** The shape of a spec file once it has passed the JSON Schema (spec/schema/ddi.schema.json). */

export const levelNames = [
  'PASSIVE_LEVEL',
  'APC_LEVEL',
  'DISPATCH_LEVEL',
  'DIRQL',
  'CLOCK_LEVEL',
  'IPI_LEVEL',
  'POWER_LEVEL',
  'HIGH_LEVEL',
] as const;

export type LevelName = (typeof levelNames)[number];

/** x64 IRQL values; DIRQL stands for the device levels 3..12 and is ordered as that whole range. */
export const levelRange: Readonly<Record<LevelName, readonly [number, number]>> = {
  PASSIVE_LEVEL: [0, 0],
  APC_LEVEL: [1, 1],
  DISPATCH_LEVEL: [2, 2],
  DIRQL: [3, 12],
  CLOCK_LEVEL: [13, 13],
  IPI_LEVEL: [14, 14],
  POWER_LEVEL: [14, 14],
  HIGH_LEVEL: [15, 15],
};

export type Direction = 'in' | 'out' | 'inout';

/** Curated files always state `type` and `dir`; an imported file leaves out what its page does not state. */
export interface SpecParam {
  name: string;
  type?: string;
  dir?: Direction;
  optional?: boolean;
  description?: string;
}

export interface SpecReturns {
  type: string;
  description?: string;
}

/** A conditional contract: either a parameter value (`param` and `equals`) or a stated `condition`. */
export interface SpecIrqlCondition {
  param?: string;
  equals?: string | number | boolean;
  condition?: string;
  irql: { runsAt?: LevelName; min?: LevelName; max?: LevelName; any?: true };
}

export interface SpecIrql {
  runsAt?: LevelName;
  min?: LevelName;
  max?: LevelName;
  any?: true;
  same?: boolean;
  raisesTo?: LevelName;
  saves?: string;
  restores?: string;
  note?: string;
  when?: SpecIrqlCondition[];
  /** Why no level is known (imported entries whose page states none the importer can read). */
  unknown?: string;
  /** Why a curated contract deliberately differs from its reference page (acknowledges DDI2014). */
  differsFromPage?: string;
}

export interface SpecField {
  name: string;
  type?: string;
  count?: number;
  optional?: boolean;
  /** A structure or union declared in place: its fields. */
  members?: SpecField[];
  union?: boolean;
  anonymous?: boolean;
  /** A bit-field's width in bits. */
  width?: number;
  description?: string;
}

/** A revision's size macro: the size of the structure through one of its fields. */
export interface SpecSizeMacro {
  name: string;
  through: string;
}

export interface SpecEnumValue {
  name: string;
  value?: number;
  description?: string;
}

export type TypeKind = 'scalar' | 'handle' | 'pointer' | 'struct' | 'enum' | 'void';

export interface SpecType {
  name: string;
  kind: TypeKind;
  c?: string;
  ts?: 'boolean' | 'number' | 'bigint' | 'unknown';
  bits?: 8 | 16 | 32 | 64;
  signed?: boolean;
  /** Scalars whose width follows the target's pointers (32 bits on wasm32, 64 on x64). */
  pointerSized?: boolean;
  /** Scalars C declares as a structure or union of the same size (PHYSICAL_ADDRESS is a LARGE_INTEGER). */
  record?: string;
  to?: string;
  tag?: string;
  union?: boolean;
  pack?: 1 | 2 | 4 | 8;
  sizes?: SpecSizeMacro[];
  fields?: SpecField[];
  values?: SpecEnumValue[];
  opaque?: boolean;
  header?: string;
  since?: string;
  page?: string;
  description?: string;
}

export interface SpecVariant {
  name: string;
  function: string;
  pointer: string;
  interrupt?: 'line' | 'message';
  description?: string;
}

/** Curated files always state function, pointer, since and returns; imported ones only when the page does. */
export interface SpecRole {
  name: string;
  function?: string;
  pointer?: string;
  header?: string;
  since?: string;
  page?: string;
  interrupt?: 'line' | 'message';
  params: SpecParam[];
  returns?: SpecReturns;
  irql: SpecIrql;
  mayCall?: 'anyLevel' | 'contract';
  invokedBy?: string[];
  registeredIn?: string;
  variants?: SpecVariant[];
  rules?: string[];
  compliance?: string[];
  seeAlso?: string[];
  description?: string;
  remarks?: string[];
}

export interface SpecFunction {
  name: string;
  macro?: boolean;
  header?: string;
  since?: string;
  page?: string;
  params: SpecParam[];
  returns?: SpecReturns;
  irql: SpecIrql;
  rules?: string[];
  compliance?: string[];
  seeAlso?: string[];
  description?: string;
  remarks?: string[];
}

export interface SpecConstant {
  name: string;
  type: string;
  value: number | string;
  description?: string;
}

/** One bug-check form of a rule. */
export interface SpecBugCheck {
  code: number;
  name: string;
  /** null where the harness computes parameter 1 from the violation. */
  p1: number | null;
  when: string;
  parameters: string;
}

/** A contract rule of the harness (spec/rules.yaml). */
export interface SpecRule {
  id: string;
  title: string;
  summary: string;
  severity: 'error' | 'warning';
  source: string;
  bugChecks: SpecBugCheck[];
  compliance: { rule: string; code: number } | null;
}

export interface SpecFile {
  /** Required of every file with entries; a file that holds only the rule table may leave it out. */
  header: string;
  family?: string;
  /** Entries produced by `ddikit import-docs`: facts only; curated entries of the same name win field by field. */
  imported?: true;
  types?: SpecType[];
  constants?: SpecConstant[];
  roles?: SpecRole[];
  functions?: SpecFunction[];
  /** The rule table (spec/rules.yaml). */
  rules?: SpecRule[];
}
