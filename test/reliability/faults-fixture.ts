// The faults fixture (fixtures/projects/faults) built by the compiler into a scratch directory, a
// client on the built server's raw pipes (for what the SDK client cannot do: stop reading, count
// every line), and what /proc says about a process. Shared by the fault, overload and shutdown tests.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";
import type { ConfigOverrides } from "../../src/compiler/config.js";
import { type BuiltFixture, buildFixture } from "./fixture.js";

export type { BuiltFixture };

/** The faults fixture, built as a user's project is (see fixture.ts). */
export function buildFaults(overrides: ConfigOverrides = {}): Promise<BuiltFixture> {
  return buildFixture("faults", overrides);
}

export type Message = Record<string, unknown> & { id?: string | number | null; method?: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A built server on raw pipes: JSON lines in; every stdout line kept, parsed and counted by id. */
export class RawClient {
  static readonly all = new Set<RawClient>();
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Responses (messages without a method) in arrival order, unless `keep` is false. */
  readonly responses: Message[] = [];
  /** Keep each response in `responses`; without it only `answers` counts them (and `onResponse` sees them). */
  keep = true;
  onResponse: (message: Message) => void = () => {};
  /** How many responses each id received. */
  readonly answers = new Map<unknown, number>();
  /** Notifications the server sent. */
  notifications = 0;
  /** Stdout lines that are not a JSON-RPC 2.0 object: there must be none. */
  readonly foreign: string[] = [];
  stdoutBytes = 0;
  stderr = "";
  readonly exited: Promise<Exit>;
  private partial = "";
  private readonly waiters = new Set<() => void>();
  /** Requests sent through request(), by id. */
  private readonly awaited = new Map<unknown, (response: Message) => void>();
  private nextId = 1;

  constructor(serverPath: string) {
    this.child = spawn(process.execPath, [serverPath], { stdio: "pipe" });
    this.pid = this.child.pid as number;
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
      // Waiters may be looking for stderr text that arrives after the last stdout line.
      for (const wake of this.waiters) wake();
    });
    this.child.stdin.on("error", () => {}); // EPIPE once the server is gone: the test looks at what it got
    this.exited = new Promise((resolve) =>
      this.child.once("close", (code, signal) => resolve({ code, signal })),
    );
    RawClient.all.add(this);
  }

  private onStdout(chunk: string): void {
    this.stdoutBytes += Buffer.byteLength(chunk);
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() as string;
    for (const line of lines) this.take(line);
    for (const wake of this.waiters) wake();
  }

  private take(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      this.foreign.push(line);
      return;
    }
    if (typeof message !== "object" || message === null || message.jsonrpc !== "2.0") {
      this.foreign.push(line);
    } else if (typeof message.method === "string") {
      this.notifications++;
    } else {
      if (this.keep) this.responses.push(message);
      this.answers.set(message.id, (this.answers.get(message.id) ?? 0) + 1);
      this.onResponse(message);
      this.awaited.get(message.id)?.(message);
    }
  }

  /** A line of stdout that never ended with a newline, once the server has exited. */
  get unterminated(): string {
    return this.partial;
  }

  write(data: string): void {
    this.child.stdin.write(data);
  }

  send(message: object): void {
    this.write(`${JSON.stringify(message)}\n`);
  }

  /** Resolves once `probe` returns something other than undefined; rejects after `timeoutMs`. */
  until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-800)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a request and resolves with its response. */
  request(method: string, params?: object): Promise<Message> {
    const id = `c${this.nextId++}`;
    let response: Message | undefined;
    this.awaited.set(id, (m) => {
      response = m;
    });
    this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return this.until(() => response, `the response to ${method}`).finally(() => this.awaited.delete(id));
  }

  async initialize(): Promise<void> {
    const response = await this.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "reliability", version: "1.0.0" },
    });
    expect(response).toHaveProperty("result");
    this.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** Kills the raw clients' servers a test left running; returns how many there were. */
export function killRawStrays(): number {
  let stray = 0;
  for (const client of RawClient.all) {
    if (client.child.exitCode === null && client.child.signalCode === null) stray++;
    client.kill();
  }
  RawClient.all.clear();
  return stray;
}

/** A field of /proc/<pid>/status in kB: VmRSS (resident now) or VmHWM (peak resident). */
export function procStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** A process as /proc identifies it: pid plus start time, so a reused pid is not mistaken for it. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly parent: number;
  readonly startTime: string;
  readonly argv: readonly string[];
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // gone, or gone while we read it
  }
}

/** The processes running now (zombies left out) that `select` picks. */
export function processes(select: (process: ProcessIdentity) => boolean): ProcessIdentity[] {
  const found: ProcessIdentity[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    // After the command name: state, parent pid, ... start time (fields 3, 4 and 22 of stat).
    const fields = statFields(pid);
    if (fields === undefined || fields[0] === "Z") continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
    } catch {
      continue;
    }
    const process = { pid, parent: Number(fields[1]), startTime: fields[19] as string, argv };
    if (select(process)) found.push(process);
  }
  return found;
}

/** True while that very process (not a later one with its pid) runs; a zombie has stopped running. */
export function stillRunning(process: ProcessIdentity): boolean {
  if (!existsSync(`/proc/${process.pid}`)) return false;
  const fields = statFields(process.pid);
  return fields !== undefined && fields[19] === process.startTime && fields[0] !== "Z";
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
