// The process entry of a generated server: stdio by default, Streamable HTTP when the command
// line, the environment or the project's configuration asks for it. Importing this module
// guards stdout before any handler module loads, whatever the transport.
import "./stdio-guard.js";
import { type HttpServer, serveHttp } from "./http.js";
import { afterStderrFlushed, reportToStderr, watchStderr } from "./serve.js";
import { type HttpConfig, type HttpSettings, readSettings, USAGE, UsageError } from "./settings.js";
import { reportStrays, runStdio, type StdioOptions } from "./stdio.js";
import { guardStdout } from "./stdio-guard.js";
import type { DispatchTable } from "./table.js";
import { runWorkers, workerChannel } from "./workers.js";

export interface ServerOptions extends StdioOptions {
  /** The project's `http` configuration; flags and FASTMCP_* variables override it. */
  http?: HttpConfig;
}

export function runServer(table: DispatchTable, options: ServerOptions = {}): void {
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings(process.argv.slice(2), process.env, options.http);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (settings.help) {
    process.stderr.write(USAGE);
    process.exit(0);
  }
  const { http: _config, ...serveOptions } = options;
  if (settings.transport === "stdio") {
    runStdio(table, serveOptions);
    return;
  }
  runHttp(table, serveOptions, settings.http).catch((error: unknown) => {
    const detail = error instanceof Error ? error.message : String(error);
    reportToStderr(`could not serve HTTP on ${settings.http.host}:${settings.http.port}: ${detail}`);
    process.exit(1);
  });
}

async function runHttp(table: DispatchTable, options: StdioOptions, settings: HttpSettings): Promise<void> {
  watchStderr();
  const report = options.report ?? reportToStderr;
  reportStrays(report);
  // A signal before the server listens has nothing to drain.
  const early = (): never => process.exit(0);
  process.once("SIGINT", early).once("SIGTERM", early);
  // Workers run with the same arguments: only then is node:cluster worth loading.
  const channel = settings.workers === 1 ? undefined : await workerChannel();
  if (channel === undefined && settings.workers !== 1) {
    // The primary of a cluster: it forks the workers and serves nothing itself.
    process.off("SIGINT", early).off("SIGTERM", early);
    return runWorkers(settings, announce);
  }
  const server: HttpServer = await serveHttp(table, {
    ...options,
    ...settings,
    report,
    allowedOrigins: settings.allowedOrigins,
    token: settings.token,
    onForeignCancel: channel?.relayCancel,
  });
  process.off("SIGINT", early).off("SIGTERM", early);
  if (channel !== undefined) channel.listen(server);
  else {
    announce(server.url, 1);
    const onSignal = (signal: NodeJS.Signals): void => server.close(`received ${signal}`);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  await server.closed;
  afterStderrFlushed(() => process.exit(0));
}

/** Says where the server listens: `MCP_URL=<url>` on stdout (for scripts), a sentence on stderr. */
function announce(url: string, workers: number): void {
  guardStdout().write(`MCP_URL=${url}\n`);
  const processes = workers === 1 ? "" : ` by ${workers} worker processes`;
  reportToStderr(`serving MCP (Streamable HTTP, stateless) at ${url}${processes}`);
}
