// punkpeye's FastMCP (npm `fastmcp`): FastMCP + addTool + zod, `transportType: "stdio"`, as its
// README shows. `node punkpeye.mjs [--tools 100]`.
//
// What it does at start-up, and why this file passes a logger (read in fastmcp 4.20.16,
// dist/chunk-*.js, FastMCPSession.connect, and checked by hand):
// - After connecting it polls for the client's capabilities every 100 ms, up to 10 times. This runs
//   beside the SDK Server underneath, so `initialize` and later requests are answered at once; but
//   if stdin closes before an `initialize`, the process lingers for that second and then warns
//   "could not infer client capabilities" on the logger.
// - If the client declares `roots.listChanged`, it sends `roots/list` to the client once it has seen
//   the capabilities (up to ~100 ms after `initialize`), and again on each roots/list_changed.
//   Keep-alive pings are off for stdio by default.
// - Its default logger is `console`, and `console.debug`/`console.info` write to stdout: a client
//   answering that roots/list with -32601 makes it print "[FastMCP debug] listRoots method not
//   supported by client" into the protocol stream. So every level goes to stderr here.
// - It reads `--transport`, `--port` and a few other flags (not `--tools`) from process.argv.
import { FastMCP } from "fastmcp";
import { z } from "zod";
import { searchText } from "./contract.mjs";
import { EXTRA_TOOLS, extraZodShape, searchZodShape, sizeFromArgv } from "./extra-tools.mjs";

const logger = {
  debug: (...args) => console.error(...args),
  error: (...args) => console.error(...args),
  info: (...args) => console.error(...args),
  log: (...args) => console.error(...args),
  warn: (...args) => console.error(...args),
};

const server = new FastMCP({ name: "punkpeye", version: "1.0.0", logger });

server.addTool({
  name: "echo",
  description: "Echo the message back.",
  parameters: z.object({ message: z.string().describe("Text to send back unchanged") }),
  annotations: { readOnlyHint: true },
  execute: async ({ message }) => message,
});

server.addTool({
  name: "add",
  description: "Add two numbers.",
  parameters: z.object({ a: z.number().describe("First addend"), b: z.number().describe("Second addend") }),
  annotations: { readOnlyHint: true },
  execute: async ({ a, b }) => String(a + b),
});

server.addTool({
  name: "search",
  description: "Search the records.",
  parameters: z.object(searchZodShape(z)),
  annotations: { readOnlyHint: true },
  execute: async ({ query, limit, filters }) => searchText(query, limit, filters),
});

if (sizeFromArgv() === 100) {
  for (const tool of EXTRA_TOOLS) {
    server.addTool({
      name: tool.name,
      description: tool.description,
      parameters: z.object(extraZodShape(tool, z)),
      annotations: { readOnlyHint: true },
      execute: async () => tool.text,
    });
  }
}

server.start({ transportType: "stdio" });
