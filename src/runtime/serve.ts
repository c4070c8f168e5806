// serve(table): runs the dispatch table as an MCP server over a byte stream pair (stdin and
// stdout by default). Wires framing, the outbox and the connection together with flow
// control, and implements graceful close: stop reading, cancel, drain, flush.
import type { Readable, Writable } from "node:stream";
import { Catalog } from "./catalog.js";
import { Connection, type ConnectionOptions, type ConnectionStats } from "./connection.js";
import { LineReader } from "./framing.js";
import { Outbox, type OutboxStats } from "./outbox.js";
import { DEFAULT_MAX_MESSAGE_BYTES, ErrorCode, encodeError } from "./protocol.js";
import type { DispatchTable } from "./table.js";

export interface ServeOptions extends ConnectionOptions {
  input?: Readable;
  output?: Writable;
  /** Writes one chunk to `output`; lets the stdio entry bypass a guarded `process.stdout.write`. */
  write?: (chunk: string, done?: () => void) => boolean;
  /** Items per page of tools/list, resources/list, resources/templates/list, prompts/list. Default 500. */
  pageSize?: number;
  /** Longest accepted message line in bytes; longer ones are rejected with -32600. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Where operational messages go (panics, abandoned requests). Default: stderr. */
  report?: (message: string) => void;
}

export type ServerStats = ConnectionStats & OutboxStats & { inFlight: number };

export interface Server {
  /** Resolves once the server closed and flushed its output. */
  readonly closed: Promise<void>;
  /** Graceful close; a second call stops waiting for cancelled handlers. */
  close(reason?: string): void;
  readonly stats: ServerStats;
}

/** How long shutdown waits for a client that has stopped reading before giving up on the rest. */
const FLUSH_PATIENCE_MS = 5000;

let stderrBroken = false;
let stderrWatched = false;

/** A closed stderr must not turn each report into an error that is reported again. */
export function watchStderr(): void {
  if (stderrWatched) return;
  stderrWatched = true;
  process.stderr.on("error", () => {
    stderrBroken = true;
  });
}

export function reportToStderr(message: string): void {
  writeStderr(`[fastmcp] ${message}\n`);
}

/** Output for stderr waiting beyond this many bytes is dropped: a client that does not read stderr must not grow the server. */
const STDERR_BACKLOG_BYTES = 1 << 20;
let stderrDropped = 0;

type WriteCallback = (error?: Error | null) => void;

/** process.stderr.write, or, while its reader is more than STDERR_BACKLOG_BYTES behind, a write dropped and counted. */
export function writeStderr(
  chunk: string | Uint8Array,
  encoding?: BufferEncoding | WriteCallback,
  done?: WriteCallback,
): boolean {
  watchStderr();
  if (stderrBroken || process.stderr.writableLength > STDERR_BACKLOG_BYTES) {
    if (!stderrBroken) stderrDropped++;
    const callback = typeof encoding === "function" ? encoding : done;
    if (callback !== undefined) process.nextTick(callback);
    return true;
  }
  noteDroppedStderr();
  return process.stderr.write(chunk, encoding as BufferEncoding, done);
}

function noteDroppedStderr(): void {
  if (stderrDropped === 0) return;
  process.stderr.write(
    `[fastmcp] ${stderrDropped} writes to stderr were dropped while its reader was 1 MiB behind\n`,
  );
  stderrDropped = 0;
}

/**
 * Runs `done` once what was written to stderr has left the process: on a pipe, process.exit()
 * drops what is still queued, such as the reports of a shutdown. A stalled reader gets the same
 * patience as a client that stopped reading stdout.
 */
export function afterStderrFlushed(done: () => void): void {
  if (!stderrBroken) noteDroppedStderr();
  if (stderrBroken || process.stderr.writableLength === 0) return done();
  whenFlushed(process.stderr, (flushed) => process.stderr.write("", () => flushed()), done);
}

/** Calls `done` once `flush` has flushed `stream`, or once it made no progress for FLUSH_PATIENCE_MS. */
function whenFlushed(stream: Writable, flush: (flushed: () => void) => void, done: () => void): void {
  let pending = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let called = false;
  const finish = (): void => {
    clearTimeout(timer);
    if (!called) done();
    called = true;
  };
  const giveUpUnlessMoving = (): void => {
    if (stream.writableLength === 0 || stream.writableLength >= pending) return finish();
    pending = stream.writableLength;
    timer = setTimeout(giveUpUnlessMoving, FLUSH_PATIENCE_MS);
  };
  flush(finish);
  giveUpUnlessMoving();
}

export function serve(table: DispatchTable, options: ServeOptions = {}): Server {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const write = options.write ?? ((chunk: string, done?: () => void) => output.write(chunk, done));
  const report = options.report ?? reportToStderr;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const graceMs = options.cancelGraceMs ?? 1000;

  const outbox = new Outbox(output, write, () => requests.pump());
  const catalog = new Catalog(table, Math.max(1, options.pageSize ?? 500));
  const connection = new Connection(table.server, catalog, outbox, report, options);
  const requests = connection.requests;
  const reader = new LineReader(
    maxMessageBytes,
    (line) => {
      requests.noteInput(line.length);
      try {
        connection.receive(line);
      } catch (error) {
        // A bug, not the client's fault: report it and go on with the next line.
        report(`could not handle a message: ${error instanceof Error ? error.stack : String(error)}`);
      }
    },
    () => {
      const message = `Invalid Request: the message exceeds the ${maxMessageBytes}-byte limit`;
      outbox.send(encodeError(null, ErrorCode.InvalidRequest, message));
    },
    () => !requests.acceptsInput,
    () => outbox.send(encodeError(null, ErrorCode.ParseError, "Parse error: the line is not valid UTF-8")),
  );

  // Flow control: while the connection is full (queue at its limit, or the client not reading
  // our output) the reader holds what it has and the input stream is paused.
  let paused = false;
  const onData = (chunk: Buffer | string): void => {
    reader.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    if (!paused && reader.holding) {
      paused = true;
      input.pause();
    }
  };
  requests.onInputWanted = () => {
    reader.resume();
    if (paused && !reader.holding) {
      paused = false;
      input.resume();
    }
  };

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let finished = false;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(graceTimer);
    // Wait while the client keeps reading; a client that stopped must not keep the process alive.
    whenFlushed(output, (done) => outbox.flushNow(done), resolveClosed);
  };

  const close = (reason = "closed"): void => {
    if (closing) {
      requests.abandonAll(true);
      return;
    }
    closing = true;
    input.off("data", onData);
    input.pause();
    requests.onIdleAfterClose = finish;
    graceTimer = setTimeout(() => requests.abandonAll(false), graceMs + 50);
    requests.close(reason);
  };

  input.on("data", onData);
  input.on("end", () => {
    reader.end();
    close("end of input");
  });
  input.on("error", (error: Error) => {
    report(`input error: ${error.message}`);
    close("input error");
  });
  // EPIPE and the like: the client is gone, so stop working for it.
  output.on("error", (error: Error) => {
    report(`output error: ${error.message}`);
    outbox.discard();
    close("output closed");
  });

  return {
    closed,
    close,
    get stats(): ServerStats {
      return { ...connection.stats, ...outbox.stats, inFlight: requests.inFlightCount };
    },
  };
}
