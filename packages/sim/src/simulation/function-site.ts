/**
 * Where a driver function is defined, for the reports made when none of its code is running — an ISR
 * that returned a wrong value (V8 keeps no frame of a function that has returned), INT-LOST's DPC,
 * INT-DEREGISTER's halt function: the place comes from the function object itself.
 *
 * Through an in-process inspector session, whose Runtime methods answer at once on this thread: the
 * function is put where an expression reaches it, Runtime.evaluate gives its object id and
 * Runtime.getProperties its internal `[[FunctionLocation]]` (script id, line, column). A script's URL
 * and source map come from Debugger.scriptParsed, which Debugger.enable replays for every script
 * parsed so far: enabled only when a script is not known yet, and disabled at once. The position goes
 * through the script's inline source map (script-source-map.ts) to the driver's `.ts` line.
 *
 * Nothing is done or kept per call or per declaration: only a report asks. A Node without the
 * inspector, a function of the harness's, or code with no file gives no place.
 */
import type * as NodeInspector from 'node:inspector';
import type { SourceFrameReport } from '../verifier/report-types.js';
import { driverFile } from './driver-frames.js';
import { builtin, originalPosition, type ScriptSource, scriptFile } from './script-source-map.js';

/** Where Runtime.evaluate finds the function asked about (set only while it is asked). */
const SLOT = Symbol.for('ddikit.functionSite');
const SLOT_EXPRESSION = 'globalThis[Symbol.for("ddikit.functionSite")]';

/** Scripts by id, as Debugger.scriptParsed last listed them (ids do not change in a thread). */
const scripts = new Map<string, ScriptSource>();
/** Places found, by `scriptId:line:column` of the definition (the explorer declares its functions anew each run). */
const places = new Map<string, Omit<SourceFrameReport, 'function'> | null>();
/** Most places kept; past it the cache starts again. */
const PLACES_MAX = 1024;

interface FunctionLocation {
  readonly scriptId: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

type Post = (method: string, params?: object) => Record<string, unknown>;

/**
 * Where `fn` is defined — `name` (the name the driver declared it with) at its `file:line:col`,
 * relative to the working folder — or null when that is not known.
 */
export function functionSite(fn: unknown, name: string): SourceFrameReport | null {
  if (typeof fn !== 'function') return null;
  const place = withSession((post, session) => {
    const location = functionLocation(post, fn);
    if (location === null) return null;
    const key = `${location.scriptId}:${location.lineNumber}:${location.columnNumber}`;
    if (places.has(key)) return places.get(key)!;
    if (!scripts.has(location.scriptId)) listScripts(post, session);
    const script = scripts.get(location.scriptId);
    const found = script === undefined ? null : placeIn(script, location);
    if (places.size >= PLACES_MAX) places.clear();
    places.set(key, found);
    return found;
  });
  return place === null ? null : { function: name, ...place };
}

/** The function's [[FunctionLocation]], or null (a bound or built-in function has none). */
function functionLocation(post: Post, fn: unknown): FunctionLocation | null {
  const global = globalThis as Record<symbol, unknown>;
  global[SLOT] = fn;
  try {
    const evaluated = post('Runtime.evaluate', { expression: SLOT_EXPRESSION, objectGroup: 'ddikit' });
    const objectId = (evaluated['result'] as { objectId?: string } | undefined)?.objectId;
    if (objectId === undefined) return null;
    const properties = post('Runtime.getProperties', { objectId, ownProperties: true });
    const internal = properties['internalProperties'] as
      | readonly { readonly name: string; readonly value?: { readonly value?: FunctionLocation } }[]
      | undefined;
    const location = internal?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value;
    return location === undefined || typeof location.scriptId !== 'string' ? null : location;
  } finally {
    delete global[SLOT];
  }
}

/** Lists every script parsed so far (Debugger.enable replays them), then turns the debugger off again. */
function listScripts(post: Post, session: NodeInspector.Session): void {
  const parsed = (message: { params: { scriptId: string; url: string; sourceMapURL?: string } }): void => {
    scripts.set(message.params.scriptId, { url: message.params.url, sourceMapURL: message.params.sourceMapURL ?? '' });
  };
  session.on('Debugger.scriptParsed', parsed);
  try {
    post('Debugger.enable');
  } finally {
    session.off('Debugger.scriptParsed', parsed);
    post('Debugger.disable');
  }
}

/** The driver's `file:line:col` (1-based) of a location in `script`; null for the harness's code or code with no file. */
function placeIn(script: ScriptSource, location: FunctionLocation): Omit<SourceFrameReport, 'function'> | null {
  const mapped = originalPosition(script, location.lineNumber, location.columnNumber);
  const path = mapped?.file ?? scriptFile(script.url);
  const file = path === null ? null : driverFile(path);
  if (file === null) return null;
  return {
    file,
    line: (mapped?.line ?? location.lineNumber) + 1,
    column: (mapped?.column ?? location.columnNumber) + 1,
  };
}

/**
 * Runs `use` with a session connected to this thread's inspector, then disconnects it; null when
 * there is no inspector, or when it does not answer at once (as an in-process session does).
 */
function withSession<T>(use: (post: Post, session: NodeInspector.Session) => T | null): T | null {
  const inspector = builtin<typeof NodeInspector>('node:inspector');
  if (inspector === undefined) return null;
  let session: NodeInspector.Session;
  try {
    session = new inspector.Session();
    session.connect();
  } catch {
    return null;
  }
  const post: Post = (method, params) => {
    let answered = false;
    let failure: Error | null = null;
    let answer: object | undefined;
    session.post(method, params ?? {}, (error: Error | null, result?: object) => {
      answered = true;
      failure = error;
      answer = result;
    });
    if (!answered) throw new Error(`${method}: the inspector did not answer at once`);
    if (failure !== null) throw failure;
    return (answer ?? {}) as Record<string, unknown>;
  };
  try {
    return use(post, session);
  } catch {
    return null;
  } finally {
    session.disconnect();
  }
}
