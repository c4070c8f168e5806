// The process entry of a generated server: guards stdout, serves the table over stdin/stdout,
// and exits 0 once a graceful shutdown (stdin EOF, SIGINT, SIGTERM) has flushed the output.
// Being the server's entry point, this is the one runtime module that calls process.exit.

import { describeError } from "./outcome.js";
import { correlationId } from "./protocol.js";
import {
  afterStderrFlushed,
  reportToStderr,
  type ServeOptions,
  type Server,
  serve,
  watchStderr,
} from "./serve.js";
import { guardStdout } from "./stdio-guard.js";
import type { DispatchTable } from "./table.js";

export type StdioOptions = Omit<ServeOptions, "input" | "output" | "write">;

export function runStdio(table: DispatchTable, options: StdioOptions = {}): Server {
  const { stream, write } = guardStdout();
  watchStderr();
  const report = options.report ?? reportToStderr;
  reportStrays(report);
  const server = serve(table, { ...options, input: process.stdin, output: stream, write, report });
  const onSignal = (signal: NodeJS.Signals): void => server.close(`received ${signal}`);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  void server.closed.then(() => afterStderrFlushed(() => process.exit(0)));
  return server;
}

/** A stray rejection or throw in handler code is a bug to report, not a reason to drop every session. */
export function reportStrays(report: (message: string) => void): void {
  process.on("unhandledRejection", (reason) => reportStray("unhandled rejection", reason, report));
  process.on("uncaughtException", (error) => reportStray("uncaught exception", error, report));
}

function reportStray(kind: string, error: unknown, report: (message: string) => void): void {
  report(`${kind} (ref ${correlationId()}), server keeps serving: ${describeError(error)}`);
}
