// One client session: JSON-RPC validation, the initialize handshake, method routing, the
// in-flight table with its concurrency limit and queue, cancellation routing and shutdown.
// Transport-neutral: it reads lines and writes to an Outbound (MCP 2025-11-25 basic/lifecycle).
import { answer } from "./answer.js";
import { type Catalog, InvalidParams, type ListKind } from "./catalog.js";
import type { ClientInfo, LogLevel } from "./context.js";
import { DeadlineScheduler } from "./deadlines.js";
import { Cancelled } from "./outcome.js";
import {
  ErrorCode,
  encodeError,
  encodeResult,
  LATEST_PROTOCOL_VERSION,
  negotiateVersion,
  type RequestId,
  supportsStructuredOutput,
} from "./protocol.js";
import { describeIssues } from "./results.js";
import { isThenable, LOG_LEVELS, type RequestHost, type RequestKind, RequestScope } from "./scope.js";
import type { ServerIdentity, ToolEntry, Validator } from "./table.js";

/** Where a connection's messages go; `congested` means the peer is not reading. */
export interface Outbound {
  send(line: string): void;
  /** A notification that may be dropped while the peer is not reading. */
  sendDroppable(line: string): void;
  readonly congested: boolean;
}

export interface ConnectionOptions {
  /** Default budget of a handler; `@timeout` overrides it. 0 means none. Default 60 000. */
  requestTimeoutMs?: number;
  /** Handlers running at once; more requests wait in a queue. Default 100. */
  maxConcurrency?: number;
  /** Requests waiting for a slot before input is paused. Default 1000. */
  maxQueued?: number;
  /** How long a cancelled request may take to stop before it is answered and abandoned. Default 1000. */
  cancelGraceMs?: number;
  /** Minimum level of log notifications until the client sends logging/setLevel. Default "info". */
  logLevel?: LogLevel;
}

export interface ConnectionStats {
  requests: number;
  maxInFlight: number;
  maxQueued: number;
  abandoned: number;
}

type Params = Record<string, unknown>;
const NO_PARAMS: Params = Object.freeze({}) as Params;

const UNKNOWN_CLIENT: ClientInfo = Object.freeze({
  name: "unknown",
  version: "unknown",
  protocolVersion: LATEST_PROTOCOL_VERSION,
  capabilities: Object.freeze({}),
});

export class Connection implements RequestHost {
  readonly deadlines = new DeadlineScheduler();
  readonly cancelGraceMs: number;
  readonly stats: ConnectionStats = { requests: 0, maxInFlight: 0, maxQueued: 0, abandoned: 0 };
  client: ClientInfo = UNKNOWN_CLIENT;
  logThreshold: number;
  private initialized = false;
  private structured = true;
  private closing = false;
  private running = 0;
  private readonly inFlight = new Map<RequestId, RequestScope>();
  private queue: (RequestScope | undefined)[] = [];
  private queueHead = 0;
  private readonly requestTimeoutMs: number;
  private readonly maxConcurrency: number;
  private readonly maxQueued: number;
  /** Called when the connection can take input again after `acceptsInput` was false. */
  onInputWanted: () => void = () => {};
  /** Called once after close() when nothing is in flight any more. */
  onIdleAfterClose: () => void = () => {};

  constructor(
    private readonly server: ServerIdentity,
    private readonly catalog: Catalog,
    private readonly out: Outbound,
    private readonly report: (message: string) => void,
    options: ConnectionOptions = {},
  ) {
    const timeout = options.requestTimeoutMs ?? 60_000;
    this.requestTimeoutMs = timeout > 0 ? timeout : Number.POSITIVE_INFINITY;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 100);
    this.maxQueued = Math.max(1, options.maxQueued ?? 1000);
    this.cancelGraceMs = options.cancelGraceMs ?? 1000;
    this.logThreshold = LOG_LEVELS.indexOf(options.logLevel ?? "info");
  }

  /** False while output is congested or the queue is full: the transport should stop reading. */
  get acceptsInput(): boolean {
    return !this.closing && !this.out.congested && this.queue.length - this.queueHead < this.maxQueued;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  receive(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.out.send(encodeError(null, ErrorCode.ParseError, "Parse error: the line is not valid JSON"));
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      const why = Array.isArray(message)
        ? "JSON-RPC batches are not supported (MCP 2025-06-18 removed them)"
        : "a JSON-RPC message must be an object";
      this.out.send(encodeError(null, ErrorCode.InvalidRequest, `Invalid Request: ${why}`));
      return;
    }
    const { id, method, params, jsonrpc } = message as Params;
    const idOk = typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
    if (typeof method !== "string") {
      if (idOk && ("result" in message || "error" in message)) return; // a response: this server sends no requests
      this.invalid(idOk ? (id as RequestId) : null, "method must be a string");
    } else if (id === undefined) {
      if (jsonrpc === "2.0") this.notification(method, params);
    } else if (!idOk) {
      this.invalid(null, "id must be a string or a number");
    } else if (jsonrpc !== "2.0") {
      this.invalid(id as RequestId, 'jsonrpc must be "2.0"');
    } else if (
      params !== undefined &&
      (typeof params !== "object" || params === null || Array.isArray(params))
    ) {
      this.out.send(
        encodeError(id as RequestId, ErrorCode.InvalidParams, "Invalid params: params must be an object"),
      );
    } else {
      this.request(id as RequestId, method, (params as Params | undefined) ?? NO_PARAMS);
    }
  }

  private invalid(id: RequestId | null, why: string): void {
    this.out.send(encodeError(id, ErrorCode.InvalidRequest, `Invalid Request: ${why}`));
  }

  private request(id: RequestId, method: string, params: Params): void {
    this.stats.requests++;
    if (method === "tools/call")
      return this.initialized ? this.callTool(id, params) : this.notYet(id, method);
    if (method === "ping") return this.out.send(encodeResult(id, "{}"));
    if (method === "initialize") return this.initialize(id, params);
    if (!this.initialized) return this.notYet(id, method);
    switch (method) {
      case "tools/list":
        return this.list(id, "tools", "tools", params);
      case "resources/list":
        return this.list(id, "resources", "resources", params);
      case "resources/templates/list":
        return this.list(id, "resources", "resourceTemplates", params);
      case "prompts/list":
        return this.list(id, "prompts", "prompts", params);
      case "resources/read":
        return this.readResource(id, params);
      case "prompts/get":
        return this.getPrompt(id, params);
      case "logging/setLevel":
        return this.setLevel(id, params);
      case "completion/complete":
        return this.complete(id, params);
      default:
        return this.out.send(encodeError(id, ErrorCode.MethodNotFound, `Method not found: ${method}`));
    }
  }

  private notYet(id: RequestId, method: string): void {
    const message = `Invalid Request: ${method} before initialize; the session starts with initialize`;
    this.out.send(encodeError(id, ErrorCode.InvalidRequest, message));
  }

  private initialize(id: RequestId, params: Params): void {
    if (this.initialized) return this.invalid(id, "initialize was already received in this session");
    const version = negotiateVersion(params.protocolVersion);
    const info = (typeof params.clientInfo === "object" && params.clientInfo) || {};
    const { name, version: clientVersion } = info as Params;
    const capabilities =
      typeof params.capabilities === "object" && params.capabilities ? params.capabilities : {};
    this.client = Object.freeze({
      name: typeof name === "string" ? name : "unknown",
      version: typeof clientVersion === "string" ? clientVersion : "unknown",
      protocolVersion: version,
      capabilities: capabilities as Params,
    });
    this.structured = supportsStructuredOutput(version);
    this.initialized = true;
    const { name: serverName, version: serverVersion, title, instructions } = this.server;
    const serverInfo =
      title !== undefined && this.structured
        ? { name: serverName, version: serverVersion, title }
        : { name: serverName, version: serverVersion };
    const result = {
      protocolVersion: version,
      capabilities: this.catalog.capabilities,
      serverInfo,
      instructions,
    };
    this.out.send(encodeResult(id, JSON.stringify(result)));
  }

  private notification(method: string, params: unknown): void {
    if (method !== "notifications/cancelled" || typeof params !== "object" || params === null) return;
    const { requestId, reason } = params as Params;
    const req = this.inFlight.get(requestId as RequestId);
    if (req === undefined) return; // unknown or finished: ignored, as the spec says
    if (!req.started) {
      req.clientCancelled = true;
      req.complete();
      return;
    }
    const why =
      typeof reason === "string" && reason !== ""
        ? `cancelled by the client: ${reason}`
        : "cancelled by the client";
    req.cancelBy(new Cancelled("client", why));
  }

  private list(id: RequestId, capability: string, kind: ListKind, params: Params): void {
    if (!(capability in this.catalog.capabilities)) return this.methodNotOffered(id, capability);
    try {
      this.out.send(encodeResult(id, this.catalog.listPage(kind, params.cursor, this.structured)));
    } catch (error) {
      this.invalidParams(id, error);
    }
  }

  private methodNotOffered(id: RequestId, capability: string): void {
    this.out.send(
      encodeError(id, ErrorCode.MethodNotFound, `Method not found: this server offers no ${capability}`),
    );
  }

  private invalidParams(id: RequestId, error: unknown): void {
    if (!(error instanceof InvalidParams)) throw error;
    this.out.send(encodeError(id, ErrorCode.InvalidParams, `Invalid params: ${error.message}`));
  }

  private callTool(id: RequestId, params: Params): void {
    const name = params.name;
    const tool = typeof name === "string" ? this.catalog.tools.get(name) : undefined;
    if (tool === undefined) {
      const message = typeof name === "string" ? `Unknown tool: ${name}` : "tools/call needs params.name";
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, message));
    }
    const args = params.arguments ?? {};
    if (typeof args !== "object" || Array.isArray(args) || args === null) {
      return this.out.send(
        encodeError(id, ErrorCode.InvalidParams, "Invalid params: arguments must be an object"),
      );
    }
    const problems = check(tool.validate, args);
    if (problems !== undefined) {
      const text = `Invalid arguments for tool ${JSON.stringify(tool.name)}:\n- ${problems.join("\n- ")}`;
      const result = { content: [{ type: "text", text }], isError: true };
      return this.out.send(encodeResult(id, JSON.stringify(result)));
    }
    this.admit(id, "tool", tool, args, tool.name, `tool ${JSON.stringify(tool.name)}`, params);
  }

  private readResource(id: RequestId, params: Params): void {
    if (!("resources" in this.catalog.capabilities)) return this.methodNotOffered(id, "resources");
    const uri = params.uri;
    if (typeof uri !== "string") {
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, "Invalid params: uri must be a string"));
    }
    const what = `resource ${JSON.stringify(uri)}`;
    const resource = this.catalog.resources.get(uri);
    if (resource !== undefined) return this.admit(id, "resource", resource, undefined, uri, what, params);
    try {
      const match = this.catalog.matchTemplate(uri);
      if (match !== undefined)
        return this.admit(id, "template", match.entry, match.variables, uri, what, params);
    } catch (error) {
      return this.invalidParams(id, error);
    }
    this.out.send(encodeError(id, ErrorCode.ResourceNotFound, `Resource not found: ${uri}`, { uri }));
  }

  private getPrompt(id: RequestId, params: Params): void {
    if (!("prompts" in this.catalog.capabilities)) return this.methodNotOffered(id, "prompts");
    const name = params.name;
    const prompt = typeof name === "string" ? this.catalog.prompts.get(name) : undefined;
    if (prompt === undefined) {
      const message = typeof name === "string" ? `Unknown prompt: ${name}` : "prompts/get needs params.name";
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, message));
    }
    const args = params.arguments ?? {};
    const problems =
      typeof args === "object" && !Array.isArray(args)
        ? check(prompt.validate, args)
        : ["arguments must be an object"];
    if (problems !== undefined) {
      const message = `Invalid arguments for prompt ${JSON.stringify(prompt.name)}: ${problems.join("; ")}`;
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, message, { problems }));
    }
    this.admit(id, "prompt", prompt, args, prompt.name, `prompt ${JSON.stringify(prompt.name)}`, params);
  }

  private setLevel(id: RequestId, params: Params): void {
    const level = LOG_LEVELS.indexOf(params.level as LogLevel);
    if (level < 0) {
      const message = `Invalid params: level must be one of ${LOG_LEVELS.join(", ")}`;
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, message));
    }
    this.logThreshold = level;
    this.out.send(encodeResult(id, "{}"));
  }

  private complete(id: RequestId, params: Params): void {
    if (!("completions" in this.catalog.capabilities)) return this.methodNotOffered(id, "completions");
    const argument = params.argument as Params | undefined;
    if (typeof argument?.name !== "string" || typeof argument.value !== "string") {
      const message = "Invalid params: argument must be { name: string, value: string }";
      return this.out.send(encodeError(id, ErrorCode.InvalidParams, message));
    }
    try {
      this.out.send(encodeResult(id, this.catalog.complete(params.ref, argument.name, argument.value)));
    } catch (error) {
      this.invalidParams(id, error);
    }
  }

  /** Registers a request that runs user code and starts it, or queues it behind the limit. */
  private admit(
    id: RequestId,
    kind: RequestKind,
    entry: unknown,
    input: unknown,
    target: string,
    what: string,
    params: Params,
  ): void {
    if (this.inFlight.has(id))
      return this.invalid(id, `id ${JSON.stringify(id)} is in use by a request in flight`);
    const token = (params._meta as Params | undefined)?.progressToken;
    const progressToken = typeof token === "string" || typeof token === "number" ? token : undefined;
    const own = (entry as { readonly timeoutMs?: number }).timeoutMs;
    const budgetMs = own !== undefined && own > 0 ? own : this.requestTimeoutMs;
    const label =
      own !== undefined && own > 0
        ? `the @timeout budget of ${what} (${own} ms)`
        : `the server's request timeout (${budgetMs} ms)`;
    const req = new RequestScope(this, id, kind, entry, input, target, what, progressToken, budgetMs, label);
    this.inFlight.set(id, req);
    if (this.running < this.maxConcurrency && !this.out.congested && this.queueHead === this.queue.length) {
      this.start(req);
    } else {
      const queued = this.queue.push(req) - this.queueHead;
      if (queued > this.stats.maxQueued) this.stats.maxQueued = queued;
    }
  }

  private start(req: RequestScope): void {
    if (++this.running > this.stats.maxInFlight) this.stats.maxInFlight = this.running;
    req.begin();
    let value: unknown;
    try {
      value = invoke(req);
    } catch (error) {
      req.settleHandler(error, true);
      return;
    }
    if (isThenable(value)) {
      value.then(
        (result) => req.settleHandler(result, false),
        (error: unknown) => req.settleHandler(error, true),
      );
    } else {
      req.settleHandler(value, false);
    }
  }

  /** RequestHost: the request's region settled (or was abandoned). */
  finish(req: RequestScope): void {
    this.inFlight.delete(req.id);
    if (req.started) this.running--;
    if (req.abandoned) {
      this.stats.abandoned++;
      this.report(
        `${req.what} (request ${JSON.stringify(req.id)}) did not stop within ${this.cancelGraceMs} ms of being cancelled; abandoned`,
      );
    }
    const line = answer(req, this.structured, this.report);
    if (line !== undefined) this.out.send(line);
    this.pump();
  }

  notify(line: string): void {
    this.out.sendDroppable(line);
  }

  warn(message: string): void {
    this.report(message);
  }

  /** Starts queued requests while there is room, and asks for input again when it is wanted. */
  pump(): void {
    while (this.running < this.maxConcurrency && !this.out.congested && this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined;
      if (next !== undefined && !next.done && !this.closing) this.start(next);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
    if (this.closing) {
      if (this.inFlight.size === 0) this.onIdleAfterClose();
    } else if (this.acceptsInput) {
      this.onInputWanted();
    }
  }

  /** Stops taking work: queued requests are refused, running ones cancelled (they get the grace period). */
  close(reason: string): void {
    if (this.closing) return;
    this.closing = true;
    for (const req of this.queue) {
      if (req === undefined || req.done) continue;
      this.out.send(
        encodeError(req.id, ErrorCode.InternalError, `Not started: the server is shutting down (${reason})`),
      );
      req.clientCancelled = true; // answered above; finishing it must not answer again
      req.complete();
    }
    const cause = new Cancelled("shutdown", `the server is shutting down (${reason})`);
    for (const req of [...this.inFlight.values()]) req.cancelBy(cause);
    this.pump();
  }

  /** Answers and forgets whatever is still in flight (the shutdown grace ran out). */
  abandonAll(): void {
    for (const req of [...this.inFlight.values()]) req.abandon();
  }
}

function check(validate: Validator | undefined, args: unknown): string[] | undefined {
  if (validate === undefined || validate(args)) return undefined;
  return describeIssues(validate.errors);
}

function invoke(req: RequestScope): unknown {
  switch (req.kind) {
    case "tool":
      return (req.entry as ToolEntry).invoke(req, req.input);
    case "resource":
      return (req.entry as { invoke(ctx: RequestScope): unknown }).invoke(req);
    case "template":
    case "prompt":
      return (req.entry as { invoke(ctx: RequestScope, input: unknown): unknown }).invoke(req, req.input);
    default:
      return req.kind satisfies never;
  }
}
