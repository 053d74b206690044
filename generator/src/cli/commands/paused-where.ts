/**
 * Where a driver thread that hangs is, found from outside it: a loop that touches nothing the
 * harness tracks (`for (;;) {}`, a spin on a local) never answers askWhere, since no harness code
 * runs. The watchdog then pauses the thread through the inspector (the NodeWorker domain of an
 * in-process session, which reaches the thread's isolate even in a tight loop), reads the innermost
 * frame of the driver's own code, maps it through the module's source map (tsx gives each module
 * one) to the driver's .ts line, and terminates the thread. Nothing is attached until a run hangs.
 * The mapping is the harness's (`originalPosition` of @ddikit/sim, which maps a function's definition
 * the same way), loaded only then; without the harness the line is the generated code's.
 */
import { existsSync } from 'node:fs';
import type { Session as InspectorSession } from 'node:inspector';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as SimModule from '@ddikit/sim';
import { displayPath } from '../../paths.js';

/** The harness's files (as driver-frames.ts of @ddikit/sim tells them): a frame there is not the driver's line. */
const HARNESS = /(?:\/node_modules\/|\/packages\/(?:sim|sim-c|ndis|cc)\/|\/@ddikit\/)/;

/** This package's folder (its sources or its build run in the driver's thread too). */
const OWN_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return `${at}${sep}`;
    if (dirname(at) === at) return `${dir}${sep}`;
  }
}

interface CallFrame {
  readonly functionName: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber?: number };
}

type Script = SimModule.ScriptSource;

/** A generated position of a script in its original source (0-based), or null: the harness's originalPosition. */
type Mapping = typeof SimModule.originalPosition;

/** A protocol message: a notification (method, params) or a reply (id). */
interface Message {
  readonly method?: string;
  readonly params?: Record<string, unknown>;
}

/** Where protocol messages go and come from: the session itself, or a worker reached through it. */
interface Channel {
  send(method: string, params?: object): void;
  listen(listener: (message: Message) => void): void;
}

/** How deep below the command's thread the driver's thread may be (a pool's threads are the driver thread's). */
const DEPTH_MAX = 2;

/**
 * Pauses the worker thread `threadId` (the command's driver thread or one of the threads it
 * started) and resolves to where its driver's code is, `at Fn (file:line:col)` with the file
 * relative to `cwd`; null when no frame is the driver's, or the thread does not pause within
 * `timeoutMs`. The session is closed before it resolves; the caller terminates the thread.
 */
export async function pausedWhere(threadId: number, cwd: string, timeoutMs: number): Promise<string | null> {
  // A Node built without the inspector has no such module: the report then goes without the line.
  let Session: typeof InspectorSession;
  try {
    ({ Session } = await import('node:inspector'));
  } catch {
    return null;
  }
  let mapping: Mapping | null = null;
  try {
    mapping = (await import('@ddikit/sim')).originalPosition;
  } catch {
    // No harness beside the CLI: the place is the generated code's.
  }
  return new Promise((resolve) => {
    const session = new Session();
    let settled = false;
    const finish = (where: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        // Closing the session detaches every worker session made through it; a paused thread resumes.
        session.disconnect();
      } catch {
        // Closed already.
      }
      resolve(where);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    timer.unref();
    const top: Channel = {
      send: (method, params) => session.post(method, params ?? {}),
      listen: (listener) => session.on('inspectorNotification', (message) => listener(message as Message)),
    };
    // Every thread the channel's thread started is attached; the one that runs the driver is paused,
    // the others are searched one level down.
    const search = (channel: Channel, depth: number): void => {
      channel.listen((message) => {
        if (settled || message.method !== 'NodeWorker.attachedToWorker') return;
        const { sessionId, workerInfo } = message.params as { sessionId: string; workerInfo: { title: string } };
        const worker = workerChannel(channel, sessionId);
        // The inspector numbers workers its own way; the title names the thread (`[worker 3] name`).
        if (/^\[worker (\d+)\]/.exec(workerInfo.title)?.[1] === String(threadId)) pause(worker, cwd, mapping, finish);
        else if (depth < DEPTH_MAX) search(worker, depth + 1);
      });
      channel.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
    };
    try {
      session.connect();
      search(top, 1);
    } catch {
      finish(null);
    }
  });
}

/** The channel of a worker attached through `parent` (NodeWorker.sendMessageToWorker, …receivedMessageFromWorker). */
function workerChannel(parent: Channel, sessionId: string): Channel {
  let id = 0;
  const listeners: ((message: Message) => void)[] = [];
  parent.listen((message) => {
    if (message.method !== 'NodeWorker.receivedMessageFromWorker') return;
    const params = message.params as { sessionId: string; message: string };
    if (params.sessionId !== sessionId) return;
    let parsed: Message;
    try {
      parsed = JSON.parse(params.message) as Message;
    } catch {
      return;
    }
    for (const listener of listeners) listener(parsed);
  });
  return {
    send: (method, params) =>
      parent.send('NodeWorker.sendMessageToWorker', {
        sessionId,
        message: JSON.stringify({ id: ++id, method, params: params ?? {} }),
      }),
    listen: (listener) => listeners.push(listener),
  };
}

/**
 * Pauses the thread of `channel`, reads where its driver's code is, lets it go on (a thread paused
 * in the debugger cannot be terminated), then hands `finish` the place.
 */
function pause(channel: Channel, cwd: string, mapping: Mapping | null, finish: (where: string | null) => void): void {
  const scripts = new Map<string, Script>();
  let where: string | null | undefined;
  channel.listen((message) => {
    const params = message.params;
    if (message.method === 'Debugger.scriptParsed' && typeof params?.['scriptId'] === 'string')
      scripts.set(params['scriptId'], {
        url: typeof params['url'] === 'string' ? params['url'] : '',
        sourceMapURL: typeof params['sourceMapURL'] === 'string' ? params['sourceMapURL'] : '',
      });
    else if (message.method === 'Debugger.paused' && where === undefined) {
      where = driverWhere((params?.['callFrames'] as readonly CallFrame[] | undefined) ?? [], scripts, cwd, mapping);
      // Debugger.disable resumes the thread; its answer (the third request) says it runs again.
      channel.send('Debugger.disable');
    } else if (message.method === undefined && (message as { id?: number }).id === 3 && where !== undefined)
      finish(where);
  });
  // Debugger.enable reports every script already parsed (scriptParsed) before it answers.
  channel.send('Debugger.enable');
  channel.send('Debugger.pause');
}

/** The innermost frame of the driver's own code, as `at Fn (file:line:col)`; null when none. */
function driverWhere(
  frames: readonly CallFrame[],
  scripts: ReadonlyMap<string, Script>,
  cwd: string,
  mapping: Mapping | null,
): string | null {
  for (const frame of frames) {
    const script = scripts.get(frame.location.scriptId);
    if (script === undefined || !script.url.startsWith('file:')) continue;
    let file: string;
    try {
      file = fileURLToPath(script.url);
    } catch {
      continue;
    }
    if (HARNESS.test(file) || file.startsWith(OWN_ROOT)) continue;
    let line = frame.location.lineNumber + 1;
    let column = (frame.location.columnNumber ?? 0) + 1;
    const mapped = mapping?.(script, frame.location.lineNumber, frame.location.columnNumber ?? 0) ?? null;
    if (mapped !== null) {
      line = mapped.line + 1;
      column = mapped.column + 1;
      if (mapped.file !== null) file = mapped.file;
    }
    return `at ${frame.functionName || '(anonymous)'} (${displayPath(file, cwd)}:${line}:${column})`;
  }
  return null;
}
