// Types of servers.mjs for the TypeScript tests.
import type { ChildProcess } from "node:child_process";

export const ROOT: string;
export const TOOLS: string;
export const CONFORMANCE_PROJECT: string;
export function ensureTools(log?: (line: string) => void): void;
export function toolPath(...parts: string[]): string;
export function buildProject(dir: string): string;
export function freePort(): Promise<number>;
export function waitForPort(
  port: number,
  options?: { timeoutMs?: number; alive?: () => boolean; what?: string },
): Promise<void>;

export interface HttpServer {
  url: string;
  port: number;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
export function startHttpServer(
  serverPath: string,
  options?: { port?: number; args?: string[]; env?: Record<string, string>; name?: string },
): Promise<HttpServer>;
