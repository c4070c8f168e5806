// Shared by `list` and `call`: find the built server, start it, hand the session to the command,
// and show the server's stderr when something failed (or always, with --verbose).
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ClientError, type InitializeResult, type Notification, RpcError, ServerClient } from "./client.js";
import type { Output } from "./output.js";

export interface SessionOptions {
  /** A bundle to run instead of `<dir>/<outDir>/server.mjs`. */
  readonly server?: string;
  readonly verbose?: boolean;
  readonly timeoutMs: number;
  readonly onNotification?: (notification: Notification) => void;
}

export type SessionBody = (client: ServerClient, server: InitializeResult) => Promise<number>;

/** Runs `body` against the server; resolves to its exit code (1 when the session itself failed). */
export async function withServer(
  dir: string,
  options: SessionOptions,
  io: Output,
  body: SessionBody,
): Promise<number> {
  const located = locateServer(dir, options.server);
  if (typeof located === "string") {
    io.err(`${located}\n`);
    return 1;
  }
  const client = ServerClient.spawn({
    ...located,
    timeoutMs: options.timeoutMs,
    ...(options.verbose === true ? { onStderr: (text: string) => io.err(text) } : {}),
    ...(options.onNotification === undefined ? {} : { onNotification: options.onNotification }),
  });
  let code: number;
  try {
    code = await body(client, await client.initialize());
  } catch (error) {
    if (!(error instanceof RpcError || error instanceof ClientError)) {
      await client.close();
      throw error;
    }
    io.err(`${describeFailure(error)}\n`);
    code = 1;
  }
  await client.close();
  const stderr = client.stderr;
  if (code !== 0 && options.verbose !== true && stderr !== "")
    io.err(`server stderr:\n${stderr.endsWith("\n") ? stderr : `${stderr}\n`}`);
  return code;
}

/** The bundle to run and the directory to run it in, or a message saying what is missing. */
export function locateServer(dir: string, server?: string): { serverPath: string; cwd?: string } | string {
  if (server !== undefined) {
    const serverPath = resolve(server);
    if (!existsSync(serverPath))
      return `error: no server at ${server}: --server must name a built server.mjs`;
    return { serverPath };
  }
  const projectDir = resolve(dir);
  if (!existsSync(projectDir)) return `error: no directory ${dir}`;
  const serverPath = join(resolve(projectDir, configuredOutDir(projectDir)), "server.mjs");
  if (!existsSync(serverPath)) {
    const shown = relative(process.cwd(), serverPath) || serverPath;
    const build = dir === "." ? "fastmcp build" : `fastmcp build ${dir}`;
    return `error: ${shown} not found: run \`${build}\` first (or pass --server <path> to a built server.mjs)`;
  }
  return { serverPath, cwd: projectDir };
}

/**
 * The project's outDir as `fastmcp build` reads it (fastmcp.config.json, else the "fastmcp" key of
 * package.json), without loading the compiler; "dist" when unset or unreadable.
 */
function configuredOutDir(projectDir: string): string {
  const read = (file: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(join(projectDir, file), "utf8")) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const config = read("fastmcp.config.json") ?? (read("package.json")?.fastmcp as Record<string, unknown>);
  const outDir = config?.outDir;
  return typeof outDir === "string" && outDir.trim() !== "" ? outDir : "dist";
}

export function describeFailure(error: RpcError | ClientError): string {
  return error instanceof RpcError ? `error ${error.code}: ${error.message}` : `error: ${error.message}`;
}

/** `--timeout <ms>`: a whole number of milliseconds; otherwise a message naming the value. */
export function parseTimeout(text: string | undefined, defaultMs: number): number | string {
  if (text === undefined) return defaultMs;
  const ms = Number(text);
  return Number.isInteger(ms) && ms > 0
    ? ms
    : `error: --timeout must be a whole number of milliseconds greater than 0, not ${JSON.stringify(text)}`;
}
