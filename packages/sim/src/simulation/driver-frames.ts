/**
 * The driver's own stack frames: where in the driver's source a report was raised or an error was
 * thrown. A stack frame is the driver's unless it is the harness's (@ddikit/sim, @ddikit/ndis, in
 * the repository's `packages/` or under `node_modules`) or the runtime's (`node:`). With source maps
 * on (`process.setSourceMapsEnabled(true)`, which the `ddikit` commands set), a TypeScript driver's
 * frames name its .ts file and line. Paths are made relative to the working folder, so the same run
 * prints the same bytes wherever the repository lives.
 */

/** One frame of the driver's code. */
export interface DriverFrame {
  /** The file, relative to the working folder when under it. */
  readonly file: string;
  /** 1-based line and column; 0 when not known (a module compiled to a data: URL). */
  readonly line: number;
  readonly column: number;
  /** The function's name in the stack, '' when anonymous. */
  readonly function: string;
}

/** Most driver frames kept from one stack. */
export const DRIVER_FRAMES_MAX = 8;

const HARNESS_PATH = /(?:\/node_modules\/|\/packages\/(?:sim|sim-c|ndis)\/|\/@ddikit\/)/;
const FRAME = /^\s*at (?:(.*?) \()?(.*?)(?::(\d+):(\d+))?\)?$/;

/** The run's entry: frames beyond it belong to whoever called `sim.run`, not to the driver. */
const RUN_ENTRY = /^\s*at Simulation\.run \(/;

/** The harness's call of a role function (role-monitor.ts): the frame below a role function's own. */
const ROLE_CALL = /^\s*at callWith \(/;

/**
 * The driver's frames in a V8 stack text, innermost first (those of the run's caller left out).
 * `roleFunctions`: the names of the role functions running, innermost first (RoleMonitor.frames):
 * an anonymous function the harness called as a role function (an arrow function given to
 * `MINIPORT_INTERRUPT_DPC('MyDpc', (context) => …)`) takes its declared name, as V8 has none for it.
 */
export function driverFrames(stack: string | undefined, roleFunctions: readonly string[] = []): DriverFrame[] {
  if (stack === undefined) return [];
  const out: DriverFrame[] = [];
  // Role calls passed so far (the n-th is roleFunctions[n]), and whether the last line was the driver's.
  let roleCalls = 0;
  let lastWasOwn = false;
  for (const line of stack.split('\n')) {
    if (!line.startsWith('    at ')) continue;
    if (RUN_ENTRY.test(line)) break;
    const match = FRAME.exec(line);
    if (match === null) continue;
    const located = locate(match[2] ?? '');
    if (located === null) {
      if (ROLE_CALL.test(line)) {
        const called = out.at(-1);
        const name = roleFunctions[roleCalls];
        if (lastWasOwn && called !== undefined && called.function === '' && name !== undefined)
          out[out.length - 1] = { ...called, function: name };
        roleCalls++;
      }
      lastWasOwn = false;
      continue;
    }
    if (out.length >= DRIVER_FRAMES_MAX) break;
    const name = (match[1] ?? '').replace(/^(?:async |new )/, '');
    out.push({
      file: located.file,
      line: located.known ? Number(match[3] ?? 0) : 0,
      column: located.known ? Number(match[4] ?? 0) : 0,
      // With source maps on, Node names a function it has no name for '<anonymous>'.
      function: name === '<anonymous>' ? '' : name,
    });
    lastWasOwn = true;
  }
  return out;
}

/** `file:line:col` (or just the file when the position is not known). */
export function frameText(frame: DriverFrame): string {
  return frame.line > 0 ? `${frame.file}:${frame.line}:${frame.column}` : frame.file;
}

/**
 * The stack right here, captured and not yet formatted: V8 formats a stack (and Node maps it through
 * source maps) only when `.stack` is first read, which is most of its cost.
 */
export function capturedStack(): Error {
  const limit = Error.stackTraceLimit;
  // Deep enough for the driver's innermost frame and the role call below it (a run nests the
  // driver's code some fifteen harness frames deep; the access's own harness frames come first).
  Error.stackTraceLimit = 24;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return error;
}

/** The driver's frames of the stack right here (for a report), innermost first; `roleFunctions` as for driverFrames. */
export function currentDriverFrames(roleFunctions: readonly string[] = []): DriverFrame[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return driverFrames(stack, roleFunctions);
}

/** A file of the driver's code, relative to the working folder when under it; null for the harness's. */
export function driverFile(path: string): string | null {
  return HARNESS_PATH.test(path.replaceAll('\\', '/')) ? null : relative(path);
}

/** The file of a frame's location, or null for the harness's and the runtime's frames. */
function locate(where: string): { file: string; known: boolean } | null {
  if (where.startsWith('data:')) {
    // A module loaded as CommonJS through a data: URL names its file in a filePath parameter.
    const filePath = /[?&]filePath=([^?&:]+)/.exec(where)?.[1];
    if (filePath === undefined) return null;
    const file = decodeURIComponent(filePath).replace(/\?namespace=.*$/, '');
    return HARNESS_PATH.test(file) ? null : { file: relative(file), known: false };
  }
  let file = where;
  if (file.startsWith('file://')) file = decodeURIComponent(file.slice('file://'.length));
  file = file.replace(/\?.*$/, '');
  if (!file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file)) return null;
  if (HARNESS_PATH.test(file.replaceAll('\\', '/'))) return null;
  return { file: relative(file), known: true };
}

function relative(file: string): string {
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  if (cwd === undefined) return file;
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}
