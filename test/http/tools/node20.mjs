// `node --import ./node20.mjs`: lets @modelcontextprotocol/conformance 0.1.16 start on Node 20. It
// imports `globSync` from "fs" (Node >= 22; only its tier-check command calls it), so on Node 20 a
// resolve hook hands the suite an "fs" with a globSync that throws. Other modules are untouched.
import * as fs from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const SHIM = `import fs from "node:fs"; export * from "node:fs"; export default fs;
export function globSync() { throw new Error("fs.globSync needs Node 22 or newer"); }`;
const SHIM_URL = `data:text/javascript,${encodeURIComponent(SHIM)}`;

// Module hooks run on their own thread, where this file is loaded again: register only once.
if (isMainThread && !("globSync" in fs)) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const fromSuite = context.parentURL?.includes("/node_modules/@modelcontextprotocol/conformance/") === true;
  if (fromSuite && (specifier === "fs" || specifier === "node:fs"))
    return { url: SHIM_URL, shortCircuit: true };
  return next(specifier, context);
}
