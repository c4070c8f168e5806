// One client session: JSON-RPC validation, the initialize handshake, method routing, the
// in-flight table with its concurrency limit and queue, cancellation routing and shutdown.
// Transport-neutral: it reads lines and writes to an Outbound (MCP 2025-11-25 basic/lifecycle).
import { type Catalog, InvalidParams, type ListKind } from "./catalog.js";
import type { ClientInfo, LogLevel } from "./context.js";
import {
  clip,
  correlationId,
  ErrorCode,
  encodeError,
  encodeResult,
  negotiateVersion,
  type RequestId,
  supportsStructuredOutput,
} from "./protocol.js";
import { type Outbound, type RequestOptions, type RequestStats, Requests } from "./requests.js";
import { describeIssues } from "./results.js";
import { LOG_LEVELS, type RequestKind } from "./scope.js";
import type { ServerIdentity, Validator } from "./table.js";

export interface ConnectionOptions extends RequestOptions {
  /** Minimum level of log notifications until the client sends logging/setLevel. Default "info". */
  logLevel?: LogLevel;
}

export type ConnectionStats = RequestStats & { requests: number };

type Params = Record<string, unknown>;
const NO_PARAMS: Params = Object.freeze({}) as Params;

export class Connection {
  readonly requests: Requests;
  /** Requests received, of every method. */
  received = 0;
  private initialized = false;

  constructor(
    private readonly server: ServerIdentity,
    private readonly catalog: Catalog,
    private readonly out: Outbound,
    private readonly report: (message: string) => void,
    options: ConnectionOptions = {},
  ) {
    this.requests = new Requests(out, report, options);
    this.requests.logThreshold = LOG_LEVELS.indexOf(options.logLevel ?? "info");
  }

  get stats(): ConnectionStats {
    return { ...this.requests.stats, requests: this.received };
  }

  receive(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(null, ErrorCode.ParseError, "Parse error: the line is not valid JSON");
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      const why = Array.isArray(message)
        ? "JSON-RPC batches are not supported (MCP 2025-06-18 removed them)"
        : "a JSON-RPC message must be an object";
      this.fail(null, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
      return;
    }
    const { id, method, params, jsonrpc } = message as Params;
    const idOk = typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
    if (typeof method !== "string") {
      // A response (its id may be null when it answers something unreadable): never answered.
      if ((idOk || id === null) && ("result" in message || "error" in message)) return;
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
      this.invalid(id as RequestId, "params must be an object");
    } else {
      try {
        this.request(id as RequestId, method, (params as Params | undefined) ?? NO_PARAMS);
      } catch (error) {
        // A bug, not the client's fault; still, a well-formed request gets its one answer.
        const ref = correlationId();
        this.report(
          `could not handle ${clip(method)} (ref ${ref}): ${error instanceof Error ? error.stack : String(error)}`,
        );
        this.fail(
          id as RequestId,
          ErrorCode.InternalError,
          `Internal error (ref ${ref}); see the server log`,
        );
      }
    }
  }

  private invalid(id: RequestId | null, why: string): void {
    this.fail(id, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
  }

  private fail(id: RequestId | null, code: number, message: string, data?: unknown): void {
    this.out.send(encodeError(id, code, message, data));
  }

  private request(id: RequestId, method: string, params: Params): void {
    this.received++;
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
        return this.fail(id, ErrorCode.MethodNotFound, `Method not found: ${clip(method)}`);
    }
  }

  private notYet(id: RequestId, method: string): void {
    const message = `Invalid Request: ${clip(method)} before initialize; the session starts with initialize`;
    this.fail(id, ErrorCode.InvalidRequest, message);
  }

  private initialize(id: RequestId, params: Params): void {
    if (this.initialized) return this.invalid(id, "initialize was already received in this session");
    const version = negotiateVersion(params.protocolVersion);
    const info = (typeof params.clientInfo === "object" && params.clientInfo) || {};
    const { name, version: clientVersion } = info as Params;
    const capabilities =
      typeof params.capabilities === "object" && params.capabilities ? params.capabilities : {};
    this.requests.client = Object.freeze({
      name: typeof name === "string" ? name : "unknown",
      version: typeof clientVersion === "string" ? clientVersion : "unknown",
      protocolVersion: version,
      capabilities: capabilities as Params,
    });
    const structured = supportsStructuredOutput(version);
    this.requests.structured = structured;
    this.initialized = true;
    const { name: serverName, version: serverVersion, title, instructions } = this.server;
    const serverInfo =
      title !== undefined && structured
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

  /**
   * Serves this connection as a session that was initialized elsewhere: stateless HTTP answers
   * each request on its own, perhaps in a process that never saw the client's initialize.
   */
  resume(client: ClientInfo): void {
    this.requests.client = client;
    this.requests.structured = supportsStructuredOutput(client.protocolVersion);
    this.initialized = true;
  }

  private notification(method: string, params: unknown): void {
    if (method !== "notifications/cancelled" || typeof params !== "object" || params === null) return;
    const { requestId, reason } = params as Params;
    this.requests.cancel(requestId as RequestId, reason);
  }

  private list(id: RequestId, capability: string, kind: ListKind, params: Params): void {
    if (!(capability in this.catalog.capabilities)) return this.methodNotOffered(id, capability);
    try {
      this.out.send(encodeResult(id, this.catalog.listPage(kind, params.cursor, this.requests.structured)));
    } catch (error) {
      this.invalidParams(id, error);
    }
  }

  private methodNotOffered(id: RequestId, capability: string): void {
    this.fail(id, ErrorCode.MethodNotFound, `Method not found: this server offers no ${capability}`);
  }

  private invalidParams(id: RequestId, error: unknown): void {
    if (!(error instanceof InvalidParams)) throw error;
    this.fail(id, ErrorCode.InvalidParams, `Invalid params: ${error.message}`);
  }

  private callTool(id: RequestId, params: Params): void {
    const name = params.name;
    const tool = typeof name === "string" ? this.catalog.tools.get(name) : undefined;
    if (tool === undefined) {
      const message =
        typeof name === "string" ? `Unknown tool: ${clip(name)}` : "tools/call needs params.name";
      return this.fail(id, ErrorCode.InvalidParams, message);
    }
    const args = params.arguments ?? {};
    if (typeof args !== "object" || Array.isArray(args) || args === null) {
      return this.fail(id, ErrorCode.InvalidParams, "Invalid params: arguments must be an object");
    }
    const problems = check(tool.validate, args);
    if (problems !== undefined) {
      const text = `Invalid arguments for tool ${JSON.stringify(tool.name)}:\n- ${problems.join("\n- ")}`;
      const result = { content: [{ type: "text", text }], isError: true };
      return this.out.send(encodeResult(id, JSON.stringify(result)));
    }
    this.admit(id, params, "tool", tool, args, tool.name);
  }

  private readResource(id: RequestId, params: Params): void {
    if (!("resources" in this.catalog.capabilities)) return this.methodNotOffered(id, "resources");
    const uri = params.uri;
    if (typeof uri !== "string") {
      return this.fail(id, ErrorCode.InvalidParams, "Invalid params: uri must be a string");
    }
    const resource = this.catalog.resources.get(uri);
    if (resource !== undefined) return this.admit(id, params, "resource", resource, undefined, uri);
    try {
      const match = this.catalog.matchTemplate(uri);
      if (match !== undefined) {
        const problems = check(match.entry.validate, match.variables);
        if (problems === undefined)
          return this.admit(id, params, "template", match.entry, match.variables, uri);
        const message = `Invalid params: ${clip(uri)}: ${problems.join("; ")}`;
        return this.fail(id, ErrorCode.InvalidParams, message, { problems });
      }
    } catch (error) {
      return this.invalidParams(id, error);
    }
    this.fail(id, ErrorCode.ResourceNotFound, `Resource not found: ${clip(uri)}`, { uri: clip(uri) });
  }

  private getPrompt(id: RequestId, params: Params): void {
    if (!("prompts" in this.catalog.capabilities)) return this.methodNotOffered(id, "prompts");
    const name = params.name;
    const prompt = typeof name === "string" ? this.catalog.prompts.get(name) : undefined;
    if (prompt === undefined) {
      const message =
        typeof name === "string" ? `Unknown prompt: ${clip(name)}` : "prompts/get needs params.name";
      return this.fail(id, ErrorCode.InvalidParams, message);
    }
    const args = params.arguments ?? {}; // null as absent, as for tools/call
    const problems =
      typeof args === "object" && !Array.isArray(args)
        ? check(prompt.validate, args)
        : ["arguments must be an object"];
    if (problems !== undefined) {
      const message = `Invalid arguments for prompt ${JSON.stringify(prompt.name)}: ${problems.join("; ")}`;
      return this.fail(id, ErrorCode.InvalidParams, message, { problems });
    }
    this.admit(id, params, "prompt", prompt, args, prompt.name);
  }

  private setLevel(id: RequestId, params: Params): void {
    const level = LOG_LEVELS.indexOf(params.level as LogLevel);
    if (level < 0) {
      const message = `Invalid params: level must be one of ${LOG_LEVELS.join(", ")}`;
      return this.fail(id, ErrorCode.InvalidParams, message);
    }
    this.requests.logThreshold = level;
    this.out.send(encodeResult(id, "{}"));
  }

  private complete(id: RequestId, params: Params): void {
    if (!("completions" in this.catalog.capabilities)) return this.methodNotOffered(id, "completions");
    const argument = params.argument as Params | undefined;
    if (typeof argument?.name !== "string" || typeof argument.value !== "string") {
      const message = "Invalid params: argument must be { name: string, value: string }";
      return this.fail(id, ErrorCode.InvalidParams, message);
    }
    try {
      this.out.send(encodeResult(id, this.catalog.complete(params.ref, argument.name, argument.value)));
    } catch (error) {
      this.invalidParams(id, error);
    }
  }

  private admit(
    id: RequestId,
    params: Params,
    kind: RequestKind,
    entry: unknown,
    input: unknown,
    target: string,
  ): void {
    const token = (params._meta as Params | undefined)?.progressToken;
    const progressToken = typeof token === "string" || typeof token === "number" ? token : undefined;
    this.requests.admit(id, kind, entry, input, target, progressToken);
  }
}

function check(validate: Validator | undefined, args: unknown): string[] | undefined {
  if (validate === undefined) return undefined;
  try {
    if (validate(args)) return undefined;
  } catch (error) {
    // e.g. arguments nested deeper than the validator's recursion can go
    return [`the arguments could not be checked: ${error instanceof Error ? error.message : String(error)}`];
  }
  return describeIssues(validate.errors);
}
