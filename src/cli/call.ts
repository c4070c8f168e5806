// `fastmcp call <name> [json] [dir]`: calls one tool of a built server and prints the result;
// exits 1 on an isError result or a JSON-RPC error, so a CI step can smoke-test a bundle.
import { existsSync, statSync } from "node:fs";
import { type Notification, RpcError } from "./client.js";
import type { Output } from "./output.js";
import { parseTimeout, withServer } from "./session.js";
import { formatToolResult, type ToolResult } from "./tool-result.js";

export interface CallCommandOptions {
  readonly json?: boolean;
  readonly server?: string;
  readonly verbose?: boolean;
  /** Milliseconds, as typed on the command line. */
  readonly timeout?: string;
  /** Ask for progress and show it on stderr (only when stderr is a terminal). */
  readonly showProgress?: boolean;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const PROGRESS_TOKEN = "fastmcp-call";

/** Returns the exit code: 0 ok, 1 isError / protocol error / no server, 2 bad arguments. */
export async function callCommand(
  name: string,
  json: string | undefined,
  dir: string,
  options: CallCommandOptions,
  io: Output,
): Promise<number> {
  const args = parseArguments(json, name);
  const timeoutMs = parseTimeout(options.timeout, DEFAULT_TIMEOUT_MS);
  if (typeof args === "string" || typeof timeoutMs === "string") {
    io.err(`${typeof args === "string" ? args : timeoutMs}\n`);
    return 2;
  }
  const onNotification = (n: Notification) => {
    if (options.showProgress === true && n.method === "notifications/progress") io.err(progressLine(n));
    if (options.verbose === true && n.method === "notifications/message") io.err(logLine(n));
  };
  return withServer(dir, { ...options, timeoutMs, onNotification }, io, async (client) => {
    const params = {
      name,
      arguments: args,
      ...(options.showProgress === true ? { _meta: { progressToken: PROGRESS_TOKEN } } : {}),
    };
    let result: ToolResult;
    try {
      result = (await client.request("tools/call", params)) as ToolResult;
    } catch (error) {
      if (!(error instanceof RpcError) || options.json !== true) throw error;
      io.out(`${JSON.stringify(error, null, 2)}\n`);
      return 1;
    }
    const failed = result.isError === true;
    if (options.json === true) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else if (failed) io.err(formatToolResult(result));
    else io.out(formatToolResult(result));
    return failed ? 1 : 0;
  });
}

/** The tool's arguments: one JSON object, `{}` when absent; otherwise a message naming the value. */
export function parseArguments(json: string | undefined, tool: string): Record<string, unknown> | string {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    // V8's message quotes the bad text: Unexpected token 'e', "examples" is not valid JSON.
    const reason = (error as Error).message;
    const dirHint = isDirectory(json)
      ? `\nTo call ${tool} without arguments in ${json}: fastmcp call ${tool} '{}' ${json}`
      : "";
    return `error: the arguments are not valid JSON: ${reason}; pass one JSON object, e.g. '{"limit": 5}'${dirHint}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `error: the arguments must be a JSON object, not ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}: ${json}`;
  return value as Record<string, unknown>;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function progressLine(n: Notification): string {
  const { progress, total, message } = n.params ?? {};
  const amount = total === undefined ? `${progress}` : `${progress}/${total}`;
  return `progress ${amount}${typeof message === "string" ? ` ${message}` : ""}\n`;
}

function logLine(n: Notification): string {
  const { level, logger, data } = n.params ?? {};
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return `log ${level}${typeof logger === "string" ? ` ${logger}` : ""}: ${text}\n`;
}
