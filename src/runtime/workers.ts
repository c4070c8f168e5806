// `--workers N`: N processes answer on one port through node:cluster (Node 20 has no
// SO_REUSEPORT option; the primary accepts connections and hands them out round-robin). The
// primary serves nothing: it forks the workers, replaces one that dies, relays a
// notifications/cancelled that reached a worker not running the request to the others, and
// on SIGINT/SIGTERM asks every worker to close gracefully.
import type { Worker } from "node:cluster";
import { endpointUrl, type HttpServer } from "./http.js";
import { reportToStderr } from "./serve.js";
import type { HttpSettings } from "./settings.js";

type Message = { fastmcp: "cancel"; key: string; reason: unknown } | { fastmcp: "shutdown"; force: boolean };

/** A worker's side of the cluster. */
export interface WorkerChannel {
  relayCancel(key: string, reason: unknown): void;
  /** Takes relayed cancellations and shutdown requests for `server`. */
  listen(server: HttpServer): void;
}

/** Undefined unless this process is a cluster worker. */
export async function workerChannel(): Promise<WorkerChannel | undefined> {
  const cluster = (await import("node:cluster")).default;
  if (!cluster.isWorker) return undefined;
  const send = (message: Message): void => {
    if (process.connected) process.send?.(message);
  };
  return {
    relayCancel: (key, reason) => send({ fastmcp: "cancel", key, reason }),
    listen(server) {
      let closing = false;
      const close = (force: boolean, reason: string): void => {
        if (!closing || force) server.close(reason);
        closing = true;
      };
      process.on("message", (message: Message) => {
        if (message?.fastmcp === "cancel") server.cancel(message.key, message.reason);
        else if (message?.fastmcp === "shutdown") close(message.force, "the cluster is shutting down");
      });
      // The primary is gone (killed, say): nobody hands this worker connections any more.
      process.on("disconnect", () => close(false, "the primary process exited"));
      process.on("SIGINT", () => close(closing, "received SIGINT"));
      process.on("SIGTERM", () => close(closing, "received SIGTERM"));
    },
  };
}

/** The primary: forks the workers and keeps them running until a signal. */
export async function runWorkers(
  settings: HttpSettings,
  announce: (url: string, workers: number) => void,
): Promise<void> {
  const cluster = (await import("node:cluster")).default;
  const count =
    settings.workers === "auto" ? (await import("node:os")).availableParallelism() : settings.workers;
  const listened = new Set<number>();
  let announced = false;
  let closing = false;
  let exitCode = 0;

  cluster.on("listening", (worker, address) => {
    listened.add(worker.id);
    if (announced || listened.size < count) return;
    announced = true;
    announce(
      endpointUrl({ address: address.address ?? "127.0.0.1", port: address.port, family: "" }, settings.path),
      count,
    );
  });
  cluster.on("message", (from: Worker, message: Message) => {
    if (message?.fastmcp !== "cancel") return;
    for (const worker of Object.values(cluster.workers ?? {}))
      if (worker !== undefined && worker !== from && worker.isConnected()) worker.send(message);
  });
  cluster.on("exit", (worker, code, signal) => {
    const alive = Object.keys(cluster.workers ?? {}).length;
    if (closing) {
      if (alive === 0) process.exit(exitCode);
      return;
    }
    const how = signal === null ? `with code ${code}` : `on ${signal}`;
    if (!listened.has(worker.id)) {
      // It never served: another would fail the same way (the port is taken, say).
      reportToStderr(`worker ${worker.process.pid} exited ${how} before it could serve; stopping`);
      closing = true;
      exitCode = 1;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill();
      if (alive === 0) process.exit(exitCode);
      return;
    }
    reportToStderr(`worker ${worker.process.pid} exited ${how}; starting another`);
    cluster.fork();
  });
  const onSignal = (): void => {
    const force = closing;
    closing = true;
    for (const worker of Object.values(cluster.workers ?? {}))
      if (worker?.isConnected()) worker.send({ fastmcp: "shutdown", force } satisfies Message);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  for (let i = 0; i < count; i++) cluster.fork();
}
