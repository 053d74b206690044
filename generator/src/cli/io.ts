/** Where a command runs and where it prints: commands take this instead of reaching for process. */

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether what goes to stderr may carry colour (see `colorFor`). */
  color: boolean;
  /**
   * A status line that the next one replaces (`null` clears it), for long runs; only a terminal
   * shows it, so elsewhere it is absent and commands print nothing in its place.
   */
  status?: (text: string | null) => void;
}

/** The part of a stream colour depends on: a terminal's `hasColors`, when it is a terminal. */
export interface ColorStream {
  isTTY?: boolean;
  hasColors?: (env?: object) => boolean;
}

/**
 * Whether to colour what goes to `stream`: on a terminal as its `hasColors()` decides (which reads
 * FORCE_COLOR, NO_COLOR, NODE_DISABLE_COLORS and TERM); elsewhere only when FORCE_COLOR asks for
 * colour (set, and neither "0" nor "false"), as Node decides for its own output.
 */
export function colorFor(stream: ColorStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (stream.isTTY === true && typeof stream.hasColors === 'function') return stream.hasColors(env);
  const force = env['FORCE_COLOR'];
  return force !== undefined && force !== '0' && force !== 'false';
}

/** The process's own working folder and streams; colour as colorFor decides for stderr. */
export function nodeIo(): CliIo {
  const stderr = process.stderr;
  let shown = false;
  /** Takes a status line off the terminal before anything else is printed. */
  const clear = (): void => {
    if (!shown) return;
    stderr.write('\r\x1b[2K');
    shown = false;
  };
  return {
    cwd: process.cwd(),
    stdout: (text) => {
      clear();
      process.stdout.write(text);
    },
    stderr: (text) => {
      clear();
      stderr.write(text);
    },
    color: colorFor(stderr, process.env),
    ...(stderr.isTTY === true
      ? {
          status: (text: string | null) => {
            stderr.write(
              text === null ? '\r\x1b[2K' : `\r\x1b[2K${text.slice(0, Math.max(10, (stderr.columns ?? 80) - 1))}`,
            );
            shown = text !== null;
          },
        }
      : {}),
  };
}
