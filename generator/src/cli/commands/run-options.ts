/**
 * The options of `ddikit simulate` and `ddikit explore`, declared once: both commands parse them
 * from this table and print their usage from it, so the two take the same options with the same
 * meaning. A row is data (name, kind, placeholder, help lines, which commands take it), so a generic
 * parser can read it too.
 */
import { closest } from '../../names.js';
import { type DriverCommand, DriverUsageError } from './driver-module.js';

export interface RunOptionSpec {
  /** The flag without its dashes. */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Given any number of times (parseArgs gives a list). */
  readonly multiple?: boolean;
  /** The value's placeholder in usage (`N`, `FILE`); '' for a boolean. */
  readonly value: string;
  /** Help lines, the first one next to the flag. */
  readonly help: readonly string[];
  /** The commands that take it. */
  readonly commands: readonly DriverCommand[];
}

const BOTH: readonly DriverCommand[] = ['simulate', 'explore'];

/** Every option, in the order usage lists them. */
export const RUN_OPTIONS: readonly RunOptionSpec[] = [
  {
    name: 'seed',
    type: 'string',
    value: 'N',
    help: ['seed of the run: traffic, DIRQLs, faults (default 1)'],
    commands: BOTH,
  },
  {
    name: 'seeds',
    type: 'string',
    value: 'N',
    help: ['run N seeds from --seed on (default 1)'],
    commands: ['simulate'],
  },
  {
    name: 'ticks',
    type: 'string',
    value: 'N',
    help: ['simulated time per run, 1 tick = 100 ns (simulate: 100000;', "explore: the scenario's, or 5000)"],
    commands: BOTH,
  },
  {
    name: 'mode',
    type: 'string',
    value: 'MODE',
    help: ['bugcheck: stop at the first error (default); collect: each bug once'],
    commands: ['simulate'],
  },
  {
    name: 'preemptions',
    type: 'string',
    value: 'K',
    help: ['most preemptions of the systematic search (default 2)'],
    commands: ['explore'],
  },
  {
    name: 'budget',
    type: 'string',
    value: 'N',
    help: ['schedules to run at most (default 10000)'],
    commands: ['explore'],
  },
  {
    name: 'replay',
    type: 'string',
    value: 'SCHEDULE',
    help: ['run one schedule, INDEX:ALTERNATIVE pairs as printed (e.g. 12:1,40:2)'],
    commands: ['explore'],
  },
  {
    name: 'arrivals',
    type: 'boolean',
    value: '',
    help: [
      'let interrupt causes arrive at choice points where nothing else could',
      'preempt (on by itself when the default schedule has no choice point)',
    ],
    commands: ['explore'],
  },
  { name: 'processors', type: 'string', value: 'N', help: ['simulated processors, 1..64 (default 2)'], commands: BOTH },
  {
    name: 'interrupt',
    type: 'string',
    value: 'KIND',
    help: [
      'msix: grant messages to a driver that supports MSI (default);',
      'line: grant a line-based interrupt even then, as NDIS may',
    ],
    commands: BOTH,
  },
  {
    name: 'messages',
    type: 'string',
    value: 'N',
    help: ["grant at most N MSI-X messages (default: the NIC's 5)"],
    commands: BOTH,
  },
  {
    name: 'rx-queues',
    type: 'string',
    value: 'N',
    help: ["RX queues the NIC's traffic source feeds, 1 or 2 (default 1)"],
    commands: BOTH,
  },
  {
    name: 'shared-line',
    type: 'string',
    value: 'N',
    help: [
      'chance in 1000 per step that another device raises the shared line',
      '(simulate: 10, explore: 0; 0 for a line of its own)',
    ],
    commands: BOTH,
  },
  {
    name: 'isr-early',
    type: 'boolean',
    value: '',
    help: ['call the ISR once before NdisMRegisterInterruptEx returns, as NDIS may'],
    commands: BOTH,
  },
  {
    name: 'link-changes',
    type: 'boolean',
    value: '',
    help: ['let the link go down and up every 0.2 to 2 ms'],
    commands: BOTH,
  },
  {
    name: 'surprise-remove',
    type: 'string',
    value: 'T',
    help: ['pull the NIC off the bus at tick T, then halt'],
    commands: BOTH,
  },
  {
    name: 'faults',
    type: 'string',
    value: 'LIST',
    help: [
      'inject faults, comma-separated: shared-line, spurious, storm,',
      'surprise-removal, interrupt-during-register, dpc-coalescing, line-for-msi;',
      'all: every one of them, with link changes (the rare paths at once)',
    ],
    commands: BOTH,
  },
  {
    name: 'disable',
    type: 'string',
    value: 'LIST',
    help: [
      'rules not to check, comma-separated ids (e.g. NIC-UNMODELED-REGISTER): a',
      'disabled rule reports nothing and its repair is skipped',
    ],
    commands: BOTH,
  },
  {
    name: 'export',
    type: 'string',
    value: 'NAME',
    help: ['run this named export instead of the default export'],
    commands: BOTH,
  },
  {
    name: 'define',
    type: 'string',
    multiple: true,
    value: 'NAME[=VALUE]',
    help: ['a C driver: define the macro NAME (to VALUE, or 1), as -D does; give it', 'once per macro'],
    commands: BOTH,
  },
  {
    name: 'timeline',
    type: 'string',
    value: 'FILE',
    help: [
      'write an offline HTML timeline of the first run with findings (explore:',
      'of the failing run, or of --replay)',
    ],
    commands: BOTH,
  },
  {
    name: 'watchdog',
    type: 'string',
    value: 'S',
    help: [
      'stop a run when no role function starts or returns for S seconds of',
      'wall-clock time (default 10; 0: never)',
    ],
    commands: BOTH,
  },
  {
    name: 'max-memory',
    type: 'string',
    value: 'MB',
    help: [
      'stop the run when the process grows past MB megabytes of memory, typed',
      "arrays and Buffers included (default: 3/4 of the machine's memory)",
    ],
    commands: BOTH,
  },
  {
    name: 'workers',
    type: 'string',
    value: 'N',
    help: ['run on N worker threads (default 1; auto: one per processor); the', 'output is the same whatever N'],
    commands: BOTH,
  },
  {
    name: 'shard',
    type: 'string',
    value: 'K/N',
    help: [
      'run part K of N of the search (by first preemption and random schedule',
      'number modulo N) and write it to shard-K-of-N.json, for --merge',
    ],
    commands: ['explore'],
  },
  {
    name: 'merge',
    type: 'boolean',
    value: '',
    help: ['merge shard files (the positionals) and print the result of the whole', 'search, as one run prints it'],
    commands: ['explore'],
  },
  { name: 'json', type: 'boolean', value: '', help: ['print the result as JSON'], commands: BOTH },
];

/** The options of one command, for node:util parseArgs. */
export function parseArgsOptions(
  command: DriverCommand,
): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const option of RUN_OPTIONS)
    if (option.commands.includes(command))
      out[option.name] = { type: option.type, ...(option.multiple === true ? { multiple: true } : {}) };
  return out;
}

/** Most macros --define gives, and the longest value. */
const DEFINES_MAX = 64;
const DEFINE_VALUE_CHARS_MAX = 256;

/**
 * --define NAME[=VALUE] (each given once per macro): NAME a C identifier, VALUE printable text
 * (`1` when absent), as clang's -D takes them; the last of one NAME wins, as with -D. A usage error
 * names the bad one.
 */
export function defineOption(
  values: readonly string[] | undefined,
  fail: (message: string) => Error,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of values ?? []) {
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? '1' : text.slice(eq + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw fail(
        `--define: the macro name must be a C identifier (got ${JSON.stringify(name)}), e.g. --define MY_BUG=2.`,
      );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(value) || value.length > DEFINE_VALUE_CHARS_MAX)
      throw fail(
        `--define ${name}: the value must be printable text of at most ${DEFINE_VALUE_CHARS_MAX} characters (got ${JSON.stringify(value.slice(0, 40))}).`,
      );
    out[name] = value;
  }
  if (Object.keys(out).length > DEFINES_MAX) throw fail(`--define: at most ${DEFINES_MAX} macros.`);
  return out;
}

/** The --define options that give `defines` again (for a replay command line), sorted by name. */
export function defineArgs(defines: Readonly<Record<string, string>>): string[] {
  return Object.keys(defines)
    .sort()
    .flatMap((name) => ['--define', `${name}=${defines[name]}`]);
}

/** The option lines of one command's usage (flag column 21 wide, as `ddikit --help` lays them out). */
export function optionsUsage(command: DriverCommand): string {
  const lines: string[] = [];
  for (const option of RUN_OPTIONS) {
    if (!option.commands.includes(command)) continue;
    const flag = `--${option.name}${option.value !== '' ? ` ${option.value}` : ''}`;
    option.help.forEach((help, i) => lines.push(`      ${(i === 0 ? flag : '').padEnd(21)}${help}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The usage synopsis's flags of one command, `[--seed N] [--json]`, wrapped after `width` characters. */
export function optionsSynopsis(command: DriverCommand, indent: string, width = 100): string {
  const parts = RUN_OPTIONS.filter((o) => o.commands.includes(command)).map(
    (o) => `[--${o.name}${o.value !== '' ? ` ${o.value}` : ''}]`,
  );
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line !== '' && indent.length + line.length + part.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? part : `${line} ${part}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}

/** --faults LIST: the names, trimmed, empty ones dropped ([] when absent). */
export function faultList(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
}

/**
 * The rule ids of --disable, checked against the harness's rules (`ruleIds`): each once, in the
 * order given; an unknown one is a usage error with the closest id.
 */
export function disabledRules<Id extends string>(names: readonly string[], ruleIds: readonly Id[]): Id[] {
  const known = new Set<string>(ruleIds);
  const out: Id[] = [];
  for (const name of names) {
    if (!known.has(name)) {
      // The closest id, case aside; or the one id the name begins (NIC-UNMODELED).
      const starts = ruleIds.filter((id) => id.startsWith(name.toUpperCase()));
      const suggestion = closest(name, ruleIds) ?? (starts.length === 1 ? starts[0] : undefined);
      throw new DriverUsageError(
        `--disable: ${JSON.stringify(name)} is not a rule.${suggestion !== undefined ? ` Did you mean "${suggestion}"?` : ''} Rules: ${ruleIds.join(', ')}.`,
      );
    }
    if (!out.includes(name as Id)) out.push(name as Id);
  }
  return out;
}

/** What parseArgs gave for the table's options, typed by kind: strings, and booleans as true or absent. */
export type OptionValues = Readonly<Record<string, string | undefined>> & {
  readonly [flag in BooleanOption]?: boolean;
};
type BooleanOption = 'json' | 'isr-early' | 'link-changes' | 'arrivals' | 'merge';

export function optionValues(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
): OptionValues {
  return values as OptionValues;
}
