// The hand-written loop (loop-core.mjs) plus argument validation by ajv validators precompiled to
// standalone code by gen-validators.mjs (bench/.gen/validators.cjs, validators-100.cjs): what
// validation costs, without compiling schemas at start-up. Invalid arguments get an `isError`
// result listing every problem. `node loop-ajv.mjs [--tools 100]`.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { sizeFromArgv } from "./extra-tools.mjs";
import { runLoop } from "./loop-core.mjs";

const size = sizeFromArgv();
const file = fileURLToPath(
  new URL(size === 100 ? "../.gen/validators-100.cjs" : "../.gen/validators.cjs", import.meta.url),
);
if (!existsSync(file)) throw new Error(`${file} is missing: run node bench/servers/gen-validators.mjs`);
const validators = createRequire(import.meta.url)(file);

function validate(name, args) {
  const check = validators[name];
  if (check(args)) return undefined;
  return check.errors.map((e) => `${e.instancePath || "arguments"} ${e.message}`).join("; ");
}

runLoop({ name: "loop-ajv", size, validate });
