// Keeps stdout for protocol messages only (MCP basic/transports "stdio"): once this module is
// evaluated, console.* and process.stdout.write from any other code go to stderr. The stdio
// entry imports it before user modules load and writes through the saved original. Stderr output
// is bounded: see writeStderr.
import { Console } from "node:console";
import { Writable } from "node:stream";
import { writeStderr } from "./serve.js";

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
    // Through writeStderr, which drops what a client that does not read stderr would pile up.
    const sink = new Writable({
      decodeStrings: false,
      write(chunk: string | Uint8Array, _encoding, done) {
        writeStderr(chunk);
        done();
      },
    });
    const toStderr = new Console({ stdout: sink, stderr: sink });
    const target = console as unknown as Record<string, unknown>;
    const source = toStderr as unknown as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      const method = source[key];
      if (typeof target[key] === "function" && typeof method === "function")
        target[key] = method.bind(toStderr);
    }
    stdout.write = writeStderr as typeof stdout.write;
  }
  return { stream: stdout, write: protocolWrite };
}

guardStdout();
