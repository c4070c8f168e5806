// The session `fastmcp dev` keeps with its client while servers come and go behind it. Requests go
// to the current server and stay with the server that received them (responses, progress and
// cancellations too); a new server gets the client's initialize replayed before it takes over,
// and the client is told which lists changed. With no server (the build fails) the relay answers
// itself: empty lists, and an error that points at the diagnostics for anything else.
import { LATEST_PROTOCOL_VERSION, PROTOCOL_VERSIONS } from "../runtime/protocol.js";
import type { Message, ServerChild } from "./child.js";
import { changedLists, type Manifest } from "./manifest-diff.js";

type Id = string | number;

interface Pending {
  readonly child: ServerChild;
  readonly method: string;
}

/** What a list method answers when the server has nothing of that kind. */
const EMPTY_RESULTS: Record<string, object> = {
  "tools/list": { tools: [] },
  "resources/list": { resources: [] },
  "resources/templates/list": { resourceTemplates: [] },
  "prompts/list": { prompts: [] },
  "completion/complete": { completion: { values: [], total: 0, hasMore: false } },
};

/** How long a replaced server may take to finish the requests it holds. */
const RETIRE_AFTER_MS = 60_000;

export interface RelayOptions {
  /** Writes one message line to the client. */
  readonly send: (line: string) => void;
  /** Operational messages for the developer (stderr). */
  readonly log: (text: string) => void;
  readonly serverName: string;
}

export class DevRelay {
  private current: ServerChild | undefined;
  private readonly retiring = new Set<ServerChild>();
  private readonly pending = new Map<Id, Pending>();
  private initializeParams: unknown;
  private initialized = false;
  private logLevel: unknown;
  private manifest: Manifest | undefined;
  /** Lines that arrived before the first build settled. */
  private waiting: string[] | undefined = [];
  /** Why there is no server, for the fallback's answers. */
  private unavailable = "the first build has not finished";
  private replays = 0;
  private readonly replayWaiters = new Map<Id, (message: Message) => void>();

  constructor(private readonly options: RelayOptions) {}

  get serverPid(): number | undefined {
    return this.current?.pid;
  }

  fromClient(line: string): void {
    if (this.waiting !== undefined) {
      this.waiting.push(line);
      return;
    }
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return this.forward(line); // the server answers malformed input itself
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) return this.forward(line);
    const { id, method, params } = message;
    const isRequest = typeof method === "string" && (typeof id === "string" || typeof id === "number");
    if (isRequest) {
      if (method === "initialize") this.initializeParams = params;
      if (method === "logging/setLevel") this.logLevel = (params as { level?: unknown } | undefined)?.level;
      if (this.current === undefined) return this.answerWithoutServer(id as Id, method as string, params);
      this.pending.set(id as Id, { child: this.current, method: method as string });
      return this.current.send(line);
    }
    if (method === "notifications/initialized") this.initialized = true;
    if (method === "notifications/cancelled") {
      const target = this.pending.get((params as { requestId?: Id } | undefined)?.requestId as Id)?.child;
      return (target ?? this.current)?.send(line);
    }
    this.forward(line);
  }

  private forward(line: string): void {
    this.current?.send(line);
  }

  /** Makes `child` the server: replays the session to it, then tells the client what changed. */
  async swap(child: ServerChild, manifest: Manifest): Promise<boolean> {
    child.onMessage = (message, line) => this.fromChild(child, message, line);
    void child.exited.then((exit) => this.childExited(child, exit.code, exit.signal));
    if (this.initializeParams !== undefined) {
      const answer = await this.replay(child, "initialize", this.initializeParams);
      if (answer === undefined || "error" in answer) {
        this.options.log(`server ${child.generation} did not answer initialize; keeping the previous one`);
        void child.close();
        return false;
      }
      if (this.initialized)
        child.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
      if (this.logLevel !== undefined) void this.replay(child, "logging/setLevel", { level: this.logLevel });
    }
    const previous = this.current;
    this.current = child;
    if (previous !== undefined) this.retire(previous);
    const before = this.manifest;
    this.manifest = manifest;
    if (this.initialized) {
      for (const kind of changedLists(before, manifest)) {
        this.options.send(JSON.stringify({ jsonrpc: "2.0", method: `notifications/${kind}/list_changed` }));
      }
    }
    this.release();
    return true;
  }

  /** The build failed and there is no server to keep: the relay answers for now. */
  noServer(reason: string): void {
    if (this.current !== undefined) return;
    this.unavailable = reason;
    this.release();
  }

  /** Client gone: stops every server. */
  async close(): Promise<void> {
    const children = [...this.retiring, ...(this.current === undefined ? [] : [this.current])];
    this.current = undefined;
    await Promise.all(children.map((c) => c.close()));
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    for (const line of waiting ?? []) this.fromClient(line);
  }

  private replay(child: ServerChild, method: string, params: unknown): Promise<Message | undefined> {
    const id = `fastmcp-dev:${method}:${++this.replays}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replayWaiters.delete(id);
        resolve(undefined);
      }, 10_000);
      this.replayWaiters.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  private fromChild(child: ServerChild, message: Message, line: string): void {
    const { id, method } = message;
    const isResponse = method === undefined && (typeof id === "string" || typeof id === "number");
    if (!isResponse) return this.options.send(line); // progress, log messages, list_changed
    const waiter = this.replayWaiters.get(id as Id);
    if (waiter !== undefined) {
      this.replayWaiters.delete(id as Id);
      return waiter(message);
    }
    const pending = this.pending.get(id as Id);
    if (pending?.child === child) this.pending.delete(id as Id);
    this.options.send(this.rewrite(pending?.method, message) ?? line);
    if (this.retiring.has(child) && !this.holds(child)) void child.close();
  }

  /**
   * The client sees one server whose lists can change: capabilities always include every list
   * (with listChanged), and a list the current server lacks is empty instead of an error.
   */
  private rewrite(method: string | undefined, message: Message): string | undefined {
    if (method === "initialize" && typeof message.result === "object" && message.result !== null) {
      const result = message.result as { capabilities?: Record<string, object> };
      const capabilities = result.capabilities ?? {};
      const listed = (key: string) => ({ ...capabilities[key], listChanged: true });
      result.capabilities = {
        ...capabilities,
        tools: listed("tools"),
        resources: listed("resources"),
        prompts: listed("prompts"),
        logging: capabilities.logging ?? {},
        completions: capabilities.completions ?? {},
      };
      return JSON.stringify(message);
    }
    const error = message.error as { code?: unknown } | undefined;
    if (method !== undefined && method in EMPTY_RESULTS && error?.code === -32601) {
      return JSON.stringify({ jsonrpc: "2.0", id: message.id, result: EMPTY_RESULTS[method] });
    }
    return undefined;
  }

  private holds(child: ServerChild): boolean {
    for (const p of this.pending.values()) if (p.child === child) return true;
    return false;
  }

  /** An old server finishes what it holds, then stops; it gets a minute at most. */
  private retire(child: ServerChild): void {
    if (!this.holds(child)) {
      void child.close();
      return;
    }
    this.retiring.add(child);
    const timer = setTimeout(() => void child.close(), RETIRE_AFTER_MS);
    timer.unref();
    void child.exited.then(() => clearTimeout(timer));
  }

  /** Whatever the server still owed gets a clear error; the session goes on. */
  private childExited(child: ServerChild, code: number | null, signal: NodeJS.Signals | null): void {
    this.retiring.delete(child);
    const how = signal === null ? `exit code ${code}` : signal;
    for (const [id, pending] of this.pending) {
      if (pending.child !== child) continue;
      this.pending.delete(id);
      const message = `Internal error: the server stopped (${how}) before answering this request; it was replaced or crashed`;
      this.options.send(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32603, message } }));
    }
    if (this.current === child) {
      this.current = undefined;
      this.unavailable = `the server exited (${how}); save a file to rebuild and restart it`;
      this.options.log(`server ${child.generation} exited (${how})`);
    }
  }

  private answerWithoutServer(id: Id, method: string, params: unknown): void {
    const reply = (body: object) => this.options.send(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
    if (method === "initialize") {
      const requested = (params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      const version =
        typeof requested === "string" && PROTOCOL_VERSIONS.includes(requested)
          ? requested
          : LATEST_PROTOCOL_VERSION;
      const capabilities = {
        tools: { listChanged: true },
        resources: { listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      };
      return reply({
        result: {
          protocolVersion: version,
          capabilities,
          serverInfo: { name: this.options.serverName, version: "dev" },
        },
      });
    }
    if (method === "ping" || method === "logging/setLevel") return reply({ result: {} });
    if (method in EMPTY_RESULTS) return reply({ result: EMPTY_RESULTS[method] as object });
    reply({
      error: {
        code: -32603,
        message: `No server is running: ${this.unavailable}. The diagnostics are on stderr.`,
      },
    });
  }
}
