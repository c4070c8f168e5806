// A minimal MCP client for `fastmcp list` and `fastmcp call`: NDJSON JSON-RPC over the stdio of
// `node <server.mjs>`, with the handshake, request timeouts and a clean close. No SDK at run time.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export const PROTOCOL_VERSION = "2025-11-25";
/** How long a server may take to exit after stdin closed before it is killed. */
const CLOSE_GRACE_MS = 3_000;
const MAX_PAGES = 10_000;

/** A JSON-RPC error the server answered with (unknown tool, invalid params, ...). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
  toJSON(): object {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Anything else that ends a session: the server exited, timed out or broke the protocol. */
export class ClientError extends Error {}

export type Notification = { method: string; params?: Record<string, unknown> };

export interface ClientOptions {
  readonly serverPath: string;
  readonly cwd?: string;
  /** Per-request timeout in ms. */
  readonly timeoutMs: number;
  /** Server stderr as it arrives (collected in `stderr` either way). */
  readonly onStderr?: (text: string) => void;
  readonly onNotification?: (notification: Notification) => void;
}

export interface InitializeResult {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo?: { name?: string; version?: string; title?: string };
  instructions?: string;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ServerClient {
  /** Everything the server wrote to stderr. */
  stderr = "";
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private readonly exited: Promise<void>;
  private partial = "";
  private nextId = 1;
  private failure: ClientError | undefined;

  private constructor(private readonly options: ClientOptions) {
    this.child = spawn(process.execPath, [options.serverPath], {
      stdio: "pipe",
      env: { ...process.env, FASTMCP_TRANSPORT: "stdio" }, // whatever the user's environment says
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
      options.onStderr?.(chunk);
    });
    // A server that exits early makes writes fail with EPIPE; the exit handler reports it.
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("error", (error) => {
        this.fail(new ClientError(`could not start ${options.serverPath}: ${error.message}`));
        resolve();
      });
      this.child.once("close", (code, signal) => {
        const how = signal === null ? `with code ${code}` : `on signal ${signal}`;
        this.fail(new ClientError(`the server exited ${how} before answering`));
        resolve();
      });
    });
  }

  /** Starts `node <serverPath>`; call initialize() next. */
  static spawn(options: ClientOptions): ServerClient {
    return new ServerClient(options);
  }

  /** The MCP handshake (basic/lifecycle): initialize, then notifications/initialized. */
  async initialize(): Promise<InitializeResult> {
    const server = (await this.request("initialize", {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "fastmcp-cli", version: cliVersion() },
    })) as InitializeResult;
    this.notify("notifications/initialized");
    return server;
  }

  /** Sends a request; resolves with its result, rejects with RpcError or ClientError. */
  request(
    method: string,
    params?: Record<string, unknown>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // basic/utilities/cancellation: tell the server to stop (never for initialize, which the
        // spec forbids cancelling).
        if (method !== "initialize")
          this.notify("notifications/cancelled", { requestId: id, reason: "timed out" });
        reject(new ClientError(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(
        params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params },
      );
    });
  }

  /** Every item of a paginated list (server/utilities/pagination), following nextCursor. */
  async listAll(method: string, key: string): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = (await this.request(method, cursor === undefined ? undefined : { cursor })) as Record<
        string,
        unknown
      >;
      const list = result[key];
      if (!Array.isArray(list)) throw new ClientError(`${method} answered without a "${key}" array`);
      items.push(...list);
      const next = result.nextCursor;
      if (typeof next !== "string") return items;
      if (seen.has(next))
        throw new ClientError(`${method} returned the cursor ${JSON.stringify(next)} twice`);
      seen.add(next);
      cursor = next;
    }
    throw new ClientError(`${method} returned more than ${MAX_PAGES} pages`);
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.failure !== undefined) return;
    this.send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  /** Ends stdin (the stdio shutdown of basic/lifecycle), waits for the exit, kills after a grace. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const grace = setTimeout(() => this.child.kill("SIGKILL"), CLOSE_GRACE_MS);
    await this.exited;
    clearTimeout(grace);
  }

  private send(message: object): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private onStdout(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() as string;
    for (const line of lines) if (line.trim() !== "") this.onLine(line);
  }

  private onLine(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.fail(new ClientError(`the server wrote a line that is not JSON on stdout: ${clip(line)}`));
      return;
    }
    if (typeof message !== "object" || message === null || message.jsonrpc !== "2.0") {
      this.fail(new ClientError(`the server wrote something other than JSON-RPC on stdout: ${clip(line)}`));
      return;
    }
    if (typeof message.method === "string") this.onServerMessage(message);
    else this.onResponse(message);
  }

  private onServerMessage(message: Record<string, unknown>): void {
    const method = message.method as string;
    if (!("id" in message)) {
      const params = message.params as Record<string, unknown> | undefined;
      this.options.onNotification?.(params === undefined ? { method } : { method, params });
      return;
    }
    // We advertise no client capabilities, so ping is the only request a server may send us.
    this.send(
      method === "ping"
        ? { jsonrpc: "2.0", id: message.id, result: {} }
        : { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `Method not found: ${method}` } },
    );
  }

  private onResponse(message: Record<string, unknown>): void {
    const pending = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
    if (pending === undefined) return; // a late answer to a request that timed out
    this.pending.delete(message.id as number);
    clearTimeout(pending.timer);
    const error = message.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
    if (error === undefined) pending.resolve(message.result);
    else
      pending.reject(
        new RpcError(
          typeof error.code === "number" ? error.code : 0,
          typeof error.message === "string" ? error.message : JSON.stringify(error),
          error.data,
        ),
      );
  }

  private fail(error: ClientError): void {
    this.failure ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(this.failure);
    }
  }
}

function clip(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
