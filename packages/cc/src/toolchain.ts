/**
 * The npm-only LLVM toolchain (@yowasp/clang: clang, wasm-ld and the LLVM tools compiled to
 * WebAssembly) behind one small interface. Loading it costs about a second and 400 MB the first time
 * in a process, so it is loaded lazily and once; only this module imports it.
 *
 * Every tool runs over an in-memory file tree. Paths in the tree are the paths the user gave, so
 * diagnostics name them (`drivers/contoso.c:12:5: error: …`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

/** A file tree: folders are objects, files are text or bytes. */
export interface FileTree {
  [name: string]: FileTree | string | Uint8Array;
}

const require = createRequire(import.meta.url);

let versionText: string | null = null;

/** The toolchain's version, from its package.json (part of the cache key); read once. */
export function toolchainVersion(): string {
  versionText ??= readToolchainVersion();
  return versionText;
}

function readToolchainVersion(): string {
  // The package exports no ./package.json: find it above the entry point.
  for (let dir = dirname(require.resolve('@yowasp/clang')); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error('@yowasp/clang: package.json not found');
}
/** What one tool run produced. */
export interface ToolRun {
  /** The tree after the run (outputs included). */
  readonly files: FileTree;
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code (0: success). */
  readonly code: number;
  readonly milliseconds: number;
}

interface YowaspClang {
  runClang(args: string[] | null, files?: FileTree, options?: object): Promise<FileTree> | FileTree | undefined;
  runLLVM(args: string[] | null, files?: FileTree, options?: object): Promise<FileTree> | FileTree | undefined;
}

interface ExitLike {
  code: number;
  files: FileTree;
}

let loading: Promise<YowaspClang> | null = null;
let loadMilliseconds = 0;

/** Loads the toolchain (once per process) and fetches its resources quietly. */
export function loadToolchain(): Promise<YowaspClang> {
  loading ??= (async () => {
    const started = performance.now();
    // The toolchain's modules are compiled here: V8 decides then how their code is tiered.
    const restoreTiering = liftoffOnly();
    const restoreStreaming = wholeFileCompile();
    try {
      const yowasp = (await import('@yowasp/clang')) as unknown as YowaspClang;
      // A null command only fetches the resources; without fetchProgress it prints progress lines.
      await yowasp.runLLVM(null, {}, { fetchProgress: () => {} });
      loadMilliseconds = performance.now() - started;
      return yowasp;
    } finally {
      restoreStreaming();
      restoreTiering();
    }
  })();
  return loading;
}

/** How long loading the toolchain took in this process (0 before it loaded). */
export function toolchainLoadMilliseconds(): number {
  return loadMilliseconds;
}

function isExit(error: unknown): error is ExitLike {
  return (
    typeof error === 'object' && error !== null && typeof (error as ExitLike).code === 'number' && 'files' in error
  );
}

async function run(which: 'clang' | 'llvm', args: string[], files: FileTree): Promise<ToolRun> {
  const yowasp = await loadToolchain();
  const decoder = new TextDecoder();
  let stdout = '';
  let stderr = '';
  const options = {
    stdout: (bytes: Uint8Array | null) => {
      if (bytes !== null) stdout += decoder.decode(bytes, { stream: true });
    },
    stderr: (bytes: Uint8Array | null) => {
      if (bytes !== null) stderr += decoder.decode(bytes, { stream: true });
    },
    synchronously: true,
  };
  const started = performance.now();
  try {
    const out = which === 'clang' ? yowasp.runClang(args, files, options) : yowasp.runLLVM(args, files, options);
    const tree = (out instanceof Promise ? await out : out) ?? {};
    return { files: tree, stdout, stderr, code: 0, milliseconds: performance.now() - started };
  } catch (error) {
    if (!isExit(error)) throw error;
    return { files: error.files, stdout, stderr, code: error.code, milliseconds: performance.now() - started };
  }
}

/**
 * Keeps the toolchain's code on V8's baseline compiler (Liftoff); returns what undoes it. V8 decides
 * how a module's code is tiered when it compiles the module, which loadToolchain does. Otherwise the
 * functions of clang that get hot are compiled again by the optimizing compiler in background
 * threads: for compiles of a driver's size that never pays back (each takes about 1 s either way)
 * and costs about 10 s of CPU over the first compiles of a process (measured on e1000-line.c: the
 * first compile of a process 10.6 s of CPU against 2.5 s and 6.2 s of wall-clock time against 2.3 s;
 * eight compiles 22.1 s of CPU against 12.5 s). The flag is V8's, for the whole process: it is set
 * only while the toolchain's modules compile, so the driver modules compiled afterwards are
 * optimized as usual. A process started with --liftoff-only keeps it.
 */
function liftoffOnly(): () => void {
  if (process.execArgv.includes('--liftoff-only')) return () => {};
  setFlagsFromString('--liftoff-only');
  return () => setFlagsFromString('--no-liftoff-only');
}

/**
 * Has WebAssembly.compileStreaming compile from the whole file instead; returns what undoes it. The
 * toolchain compiles its four modules (75 MB of code) with compileStreaming when it exists. A thread
 * ended while V8 still decodes a module it streams crashes Node 20 (segmentation fault: the thread's
 * teardown frees the stream's buffer while a background task decodes from it), and ddikit ends the
 * driver's thread when the memory limit is passed, which a cold compile can do during that second:
 * `ddikit explore driver.c --max-memory 350` printed its report and then died with exit code 139 four
 * runs in four. Compiled from the whole file, a module's compile is cancelled cleanly (the same runs:
 * exit code 1, every time), and the process peaks lower: `ddikit simulate e1000-line.c` with an empty
 * cache 400–430 MB against 535 MB, as the stream's chunks are no longer held beside the decoder's
 * copy. The replacement takes what compileStreaming takes (a Response, or a promise of one).
 */
function wholeFileCompile(): () => void {
  const wasm = WebAssembly as unknown as WasmCompile;
  const streaming = wasm.compileStreaming;
  if (streaming === undefined) return () => {};
  wasm.compileStreaming = async (source) => wasm.compile(await (await source).arrayBuffer());
  return () => {
    wasm.compileStreaming = streaming;
  };
}

/** What wholeFileCompile uses of the WebAssembly namespace (this package's types leave it out). */
interface WasmCompile {
  compileStreaming?: (source: WasmSource | PromiseLike<WasmSource>) => Promise<unknown>;
  compile(bytes: ArrayBuffer): Promise<unknown>;
}

/** A Response, as far as compiling what it holds goes. */
interface WasmSource {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Runs the clang driver (`clang …`). */
export function runClang(args: readonly string[], files: FileTree): Promise<ToolRun> {
  return run('clang', ['clang', ...args], files);
}

/** Runs an LLVM tool: `wasm-ld`, `symbolizer`, `objdump`, `dwarfdump`, … */
export function runTool(tool: string, args: readonly string[], files: FileTree): Promise<ToolRun> {
  return run('llvm', [tool, ...args], files);
}

/** A file of a tree by path (`out/contoso.o`), or undefined. */
export function fileAt(tree: FileTree, path: string): Uint8Array | string | undefined {
  let node: FileTree | string | Uint8Array | undefined = tree;
  for (const part of path.split('/')) {
    if (node === undefined || typeof node === 'string' || node instanceof Uint8Array) return undefined;
    node = node[part];
  }
  return typeof node === 'string' || node instanceof Uint8Array ? node : undefined;
}

/** Puts a file into a tree at a path, making folders. */
export function putFile(tree: FileTree, path: string, content: string | Uint8Array): void {
  const parts = path.split('/');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node = node[part] = {};
    else if (typeof next === 'string' || next instanceof Uint8Array) throw new Error(`${path}: ${part} is a file`);
    else node = next;
  }
  node[parts[parts.length - 1]!] = content;
}
