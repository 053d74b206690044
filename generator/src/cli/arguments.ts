/** What every command's option parsing shares: usage errors and integer options. */

/** A bad command line: main prints the message with a pointer to --help and exits 2. */
export class UsageError extends Error {}

/** An error thrown by node:util parseArgs for an unknown or malformed option. */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** An integer option in min..max, or the fallback when absent; `fail` makes the usage error to throw. */
export function integerOption(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  fail: (message: string) => Error,
): number {
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw fail(`${flag} must be an integer in ${min}..${max} (got ${JSON.stringify(value)}).`);
  }
  return parsed;
}
