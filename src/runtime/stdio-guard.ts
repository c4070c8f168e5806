// Keeps stdout for protocol messages only (MCP basic/transports "stdio"): once this module is
// evaluated, console.* and process.stdout.write from any other code go to stderr. The stdio
// entry imports it before user modules load and writes through the saved original.
import { Console } from "node:console";
import type { Writable } from "node:stream";

const stdout = process.stdout;
const protocolWrite = stdout.write.bind(stdout) as (chunk: string, done?: () => void) => boolean;

export interface ProtocolOutput {
  readonly stream: Writable;
  readonly write: (chunk: string, done?: () => void) => boolean;
}

let guarded = false;

export function guardStdout(): ProtocolOutput {
  if (!guarded) {
    guarded = true;
    const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
    const target = console as unknown as Record<string, unknown>;
    const source = toStderr as unknown as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      const method = source[key];
      if (typeof target[key] === "function" && typeof method === "function")
        target[key] = method.bind(toStderr);
    }
    stdout.write = ((chunk: never, encoding?: never, done?: never) =>
      process.stderr.write(chunk, encoding, done)) as typeof stdout.write;
  }
  return { stream: stdout, write: protocolWrite };
}

guardStdout();
