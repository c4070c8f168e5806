// One server process of `fastmcp dev`, with NDJSON on its pipes. It starts as Node waiting in
// loader.js and becomes a server when `start(bundle)` names the bundle, so a process can be warmed
// up while a build runs. Its stderr goes straight to ours (handler logs, panics); its stdout is
// read line by line for the relay.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LOADER = fileURLToPath(new URL("./loader.js", import.meta.url));

export type Message = Record<string, unknown> & { id?: unknown; method?: unknown };

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

let generations = 0;

export class ServerChild {
  /** 1 for the first server of the session, 2 for the next, …: names it in logs. */
  generation = 0;
  readonly exited: Promise<Exit>;
  exitInfo: Exit | undefined;
  onMessage: (message: Message, line: string) => void = () => {};
  private readonly child: ChildProcess;
  private partial = "";
  private started = false;

  constructor(cwd: string) {
    // stdio whatever the user's environment says (FASTMCP_TRANSPORT=http would start an HTTP server).
    const env = { ...process.env, FASTMCP_TRANSPORT: "stdio" };
    this.child = spawn(process.execPath, [LOADER], { cwd, env, stdio: ["pipe", "pipe", "inherit", "ipc"] });
    this.child.stdin?.on("error", () => {}); // a dead child: its exit is what matters
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.read(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      this.child.once("error", () => {
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether it can still become a server. */
  get usable(): boolean {
    return !this.started && this.exitInfo === undefined && this.child.connected;
  }

  /** Loads the server bundle into the waiting process. */
  start(bundle: string): void {
    this.started = true;
    this.generation = ++generations;
    this.child.send({ bundle });
  }

  send(line: string): void {
    if (this.exitInfo === undefined) this.child.stdin?.write(`${line}\n`);
  }

  /** Ends its stdin (a graceful stop); after `graceMs` a SIGTERM, then a SIGKILL. */
  async close(graceMs = 2000): Promise<Exit> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    // Still waiting in the loader: nothing to finish.
    if (!this.started) this.child.kill("SIGTERM");
    this.child.stdin?.end();
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (stopped) break;
      this.child.kill(signal);
    }
    return this.exited;
  }

  private read(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() as string;
    for (const line of lines) {
      if (line.trim() === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // the runtime writes nothing else to stdout
      }
      if (typeof message === "object" && message !== null && !Array.isArray(message))
        this.onMessage(message as Message, line);
    }
  }
}
