// Drives the built reference server two ways: through the official SDK client over real stdio
// (the referee), and as raw bytes on its pipes (for what a well-behaved client never sends).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export const SERVER_PATH = fileURLToPath(
  new URL("../../build/fixtures/reference/server.js", import.meta.url),
);

function assertBuilt(): void {
  if (!existsSync(SERVER_PATH)) throw new Error(`${SERVER_PATH} is missing: run \`npm run build\` first`);
}

export type Message = Record<string, unknown> & { id?: string | number | null; method?: string };

export interface WireEntry {
  dir: "in" | "out";
  msg: Message;
}

/** A transport wrapper that records every message in both directions. */
class TapTransport implements Transport {
  readonly log: WireEntry[] = [];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  constructor(readonly inner: StdioClientTransport) {
    inner.onmessage = (msg) => {
      this.log.push({ dir: "in", msg: msg as Message });
      this.onmessage?.(msg);
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => this.onclose?.();
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  send(msg: JSONRPCMessage): Promise<void> {
    this.log.push({ dir: "out", msg: msg as Message });
    return this.inner.send(msg);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  setProtocolVersion(version: string): void {
    (this.inner as { setProtocolVersion?: (v: string) => void }).setProtocolVersion?.(version);
  }
}

export interface JournalEntry {
  event: string;
  detail?: Record<string, unknown>;
}

export interface ToolResult {
  content?: { type: string; text?: string }[];
  structuredContent?: unknown;
  isError?: boolean;
}

/** Server processes started through connect(); killStrays() checks none outlived its test file. */
const sessionPids = new Set<number>();

export interface Session {
  client: Client;
  /** Every message of the session, both directions, in wire order. */
  wire: WireEntry[];
  stderr(): string;
  pid: number;
  close(): Promise<void>;
}

/** Starts the reference server with `flags` and connects the official SDK client to it. */
export async function connect(flags: string[] = []): Promise<Session> {
  assertBuilt();
  return connectTo(SERVER_PATH, flags);
}

/** Starts `node <server> ...args` in `cwd` and connects the official SDK client to it. */
export async function connectTo(server: string, args: string[] = [], cwd?: string): Promise<Session> {
  const inner = new StdioClientTransport({
    command: process.execPath,
    args: [server, ...args],
    stderr: "pipe",
    ...(cwd === undefined ? {} : { cwd }),
  });
  let stderr = "";
  inner.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const tap = new TapTransport(inner);
  const client = new Client({ name: "fastmcp-e2e", version: "1.0.0" }, { capabilities: {} });
  await client.connect(tap);
  sessionPids.add(inner.pid as number);
  return {
    client,
    wire: tap.log,
    stderr: () => stderr,
    pid: inner.pid as number,
    close: () => client.close(),
  };
}

/** Responses the client received for `id`. */
export function responsesFor(wire: readonly WireEntry[], id: unknown): Message[] {
  return wire.filter((e) => e.dir === "in" && e.msg.id === id && !("method" in e.msg)).map((e) => e.msg);
}

/** The id the client used for the last `tools/call` of `name`. */
export function callId(wire: readonly WireEntry[], name: string): string | number {
  const sent = wire.filter((e) => e.dir === "out" && e.msg.method === "tools/call");
  const match = sent.filter((e) => (e.msg.params as { name?: string }).name === name).at(-1);
  if (match === undefined) throw new Error(`no tools/call ${name} was sent`);
  return match.msg.id as string | number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The reference server on raw pipes: bytes in, parsed stdout lines out. */
export class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line, as written. */
  readonly lines: string[] = [];
  readonly messages: Message[] = [];
  stderr = "";
  readonly exited: Promise<Exit>;
  private partial = "";
  private readonly waiters = new Set<() => void>();
  private nextId = 1;

  constructor(flags: string[] = []) {
    assertBuilt();
    this.child = spawn(process.execPath, [SERVER_PATH, ...flags], { stdio: "pipe" });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onStdout(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.wake();
    });
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    RawServer.all.add(this);
  }

  static readonly all = new Set<RawServer>();

  private onStdout(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split("\n");
    this.partial = parts.pop() as string;
    for (const line of parts) {
      this.lines.push(line);
      try {
        this.messages.push(JSON.parse(line) as Message);
      } catch {
        // kept in `lines`; tests that care compare lines and messages
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  write(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  send(message: object): void {
    this.write(`${JSON.stringify(message)}\n`);
  }

  /** Resolves when a message matching `predicate` arrived; rejects after `timeoutMs`. */
  waitFor(predicate: (m: Message) => boolean, timeoutMs = 10_000, from = 0): Promise<Message> {
    return this.until(() => this.messages.slice(from).find(predicate), timeoutMs, "a matching message");
  }

  until<T>(probe: () => T | undefined, timeoutMs = 10_000, what = "a condition"): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-500)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a request and waits for the response with its id. */
  request(method: string, params?: object, id: string | number = `r${this.nextId++}`): Promise<Message> {
    const from = this.messages.length;
    this.send(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params });
    return this.waitFor((m) => m.id === id && !("method" in m), 10_000, from);
  }

  call(name: string, args: object, id?: string | number): Promise<Message> {
    return this.request("tools/call", { name, arguments: args }, id);
  }

  async initialize(protocolVersion = "2025-11-25"): Promise<Message> {
    const response = await this.request("initialize", {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: "raw-e2e", version: "1.0.0" },
    });
    this.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return response;
  }

  /** Closes stdin and waits for the process to exit. */
  async end(): Promise<Exit> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** Kills servers (raw or behind an SDK client) a test left behind; returns how many were still running. */
export function killStrays(): number {
  let stray = 0;
  for (const server of RawServer.all) {
    if (server.child.exitCode === null && server.child.signalCode === null) stray++;
    server.kill();
  }
  RawServer.all.clear();
  for (const pid of sessionPids) {
    if (isAlive(pid)) {
      stray++;
      process.kill(pid, "SIGKILL");
    }
  }
  sessionPids.clear();
  return stray;
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The server's journal once `event` was recorded (the tool waits server-side). */
export async function journal(client: Client, event: string): Promise<JournalEntry[]> {
  const result = await client.callTool({ name: "journal", arguments: { event, timeoutMs: 10_000 } });
  return (result.structuredContent as { entries: JournalEntry[] }).entries;
}

export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
