/** Where a command runs and where it prints: commands take this instead of reaching for process. */

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colors only on a terminal. */
  color: boolean;
}

/** The process's own working folder and streams; colors when stderr is a terminal and NO_COLOR is unset. */
export function nodeIo(): CliIo {
  return {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stderr.isTTY === true && process.env['NO_COLOR'] === undefined,
  };
}
