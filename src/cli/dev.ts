// `fastmcp dev [dir]`: a stdio server that stays up while the project changes under it. It
// builds, runs the bundle as a child and relays the client's messages to it; on each batch of
// saved files it rebuilds incrementally and, when the bundle changed, swaps in a new child (see
// src/dev/relay.ts). A failed build prints diagnostics and keeps the last good server.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { Builder, type BuildResult } from "../compiler/build.js";
import { type ConfigOverrides, readConfig } from "../compiler/config.js";
import { ServerChild } from "../dev/child.js";
import type { Manifest } from "../dev/manifest-diff.js";
import { DevRelay } from "../dev/relay.js";
import { watchSources } from "../dev/watch.js";
import { LineReader } from "../runtime/framing.js";
import { DEFAULT_MAX_MESSAGE_BYTES, ErrorCode, encodeError } from "../runtime/protocol.js";
import { terminalProgress } from "./progress.js";
import { countEntries, printDiagnostics } from "./report.js";

/** Saves closer together than this make one rebuild. */
export const QUIET_MS = 50;

/** How long after a swap the next server process starts warming up. */
const WARM_AFTER_MS = 100;

/** The client's pipes, and where the developer reads what happens. */
export interface DevStreams {
  readonly input: Readable;
  readonly output: Writable;
  readonly err: Writable & { isTTY?: boolean };
}

export interface DevOptions extends ConfigOverrides {
  /** Log how long each stage of each rebuild took. */
  readonly verbose?: boolean;
}

/** Serves until the client closes stdin (or a signal arrives); resolves to the exit code. */
export async function devCommand(dir: string, options: DevOptions, streams: DevStreams): Promise<number> {
  const { verbose = false, ...overrides } = options;
  const projectDir = resolve(dir);
  const log = (text: string) => streams.err.write(`fastmcp dev: ${text}\n`);
  const config = readConfig(projectDir, overrides).value;
  const builder = new Builder(projectDir, { incremental: true });
  const relay = new DevRelay({
    send: (line) => streams.output.write(`${line}\n`),
    log,
    serverName: config.name,
  });

  // A Node process started ahead of time becomes the next server (see src/dev/loader.ts).
  let warm: ServerChild | undefined = new ServerChild(projectDir);
  let warming: NodeJS.Timeout | undefined;
  const takeWarmProcess = (): ServerChild => {
    const child = warm?.usable === true ? warm : new ServerChild(projectDir);
    if (warm !== child) void warm?.close();
    warm = undefined;
    // The next one starts once this swap is over, not competing with it for the CPU.
    clearTimeout(warming);
    warming = setTimeout(() => {
      if (!closing) warm = new ServerChild(projectDir);
    }, WARM_AFTER_MS);
    return child;
  };

  const changed = new Set<string>();
  let closing = false;
  let running: Promise<void> | undefined;
  let again = false;
  let batchStarted = 0;

  const rebuild = async (first: boolean): Promise<void> => {
    const started = first ? performance.now() : batchStarted;
    for (const file of changed) builder.invalidate(file);
    changed.clear();
    const progress = first ? terminalProgress(streams.err, "fastmcp dev: first build") : undefined;
    const timer = stageTimer();
    let result: BuildResult;
    try {
      result = await builder.build({
        overrides,
        progress: (stage: string) => {
          timer.mark(stage);
          progress?.stage(stage);
        },
      });
    } finally {
      progress?.done();
    }
    printDiagnostics(projectDir, result.diagnostics, (text) => streams.err.write(text));
    if (closing) return;
    if (!result.ok) {
      if (relay.serverPid === undefined) relay.noServer("the build failed");
      else log("the build failed; the last good server keeps serving");
      return;
    }
    const serverPath = result.serverPath as string;
    if (!result.written.includes(serverPath) && relay.serverPid !== undefined) {
      log(`rebuilt in ${Math.round(result.durationMs)} ms; the server is unchanged`);
      return;
    }
    const manifest = JSON.parse(readFileSync(result.manifestPath as string, "utf8")) as Manifest;
    const child = takeWarmProcess();
    child.start(serverPath);
    timer.mark("starting the server");
    if (!(await relay.swap(child, manifest))) return;
    const ms = Math.round(performance.now() - started);
    log(`server ${child.generation} ready with ${countEntries(result)} in ${ms} ms`);
    if (verbose) {
      const { parsedFiles, scannedFiles, generatedSchemas, compiledValidators } = result.work;
      log(`  ${timer.summary()}`);
      log(
        `  afresh: ${parsedFiles} parsed, ${scannedFiles} scanned, ${generatedSchemas} schemas, ${compiledValidators} validators`,
      );
    }
  };

  /** One build at a time; saves during a build make exactly one more. */
  const schedule = (first: boolean): void => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = rebuild(first)
      .catch((error: unknown) => {
        log(`build crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (relay.serverPid === undefined) relay.noServer("the build crashed");
      })
      .finally(() => {
        running = undefined;
        if (again && !closing) {
          again = false;
          batchStarted = performance.now();
          schedule(false);
        }
      });
  };

  const watcher = watchSources(projectDir, config.outDir, QUIET_MS, (files) => {
    for (const file of files) changed.add(file);
    if (running === undefined) batchStarted = performance.now();
    schedule(false);
  });

  // The same limit as the servers it runs, so that an oversized line is not buffered here first.
  const maxMessageBytes = config.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const reader = new LineReader(
    maxMessageBytes,
    (line) => relay.fromClient(line),
    () => {
      const message = `Invalid Request: the message exceeds the ${maxMessageBytes}-byte limit`;
      streams.output.write(encodeError(null, ErrorCode.InvalidRequest, message));
    },
  );
  streams.input.on("data", (chunk: Buffer) => reader.push(chunk));

  schedule(true);

  const reason = await new Promise<string>((resolveStop) => {
    streams.input.once("end", () => resolveStop("the client closed stdin"));
    streams.input.once("error", () => resolveStop("stdin failed"));
    process.once("SIGINT", () => resolveStop("SIGINT"));
    process.once("SIGTERM", () => resolveStop("SIGTERM"));
  });
  reader.end();
  streams.input.destroy(); // after a signal, stdin would keep the process alive
  closing = true;
  watcher.close();
  clearTimeout(warming);
  await running;
  await warm?.close();
  await relay.close();
  await builder.dispose();
  log(`stopped (${reason})`);
  return 0;
}

/** Times the stages of a build as they start: "checking types 31 ms, bundling 70 ms, …". */
function stageTimer(): { mark(stage: string): void; summary(): string } {
  const done: string[] = [];
  let current: string | undefined;
  let since = performance.now();
  const finish = () => {
    const now = performance.now();
    if (current !== undefined) done.push(`${current} ${Math.round(now - since)} ms`);
    since = now;
  };
  return {
    mark(stage) {
      finish();
      current = stage;
    },
    summary() {
      finish();
      current = undefined;
      return done.join(", ");
    },
  };
}
