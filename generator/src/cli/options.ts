/** Small helpers shared by the commands that run drivers (simulate, explore). */

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

/** An error's message without its stack, at most three lines, joined. */
export function firstLines(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 3)
    .join(' ')
    .trim();
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
