#!/usr/bin/env node
// npm run fuzz [-- --runs N] [-- --seed S]: the wire fuzzer of test/reliability/fuzz.test.ts for
// longer than CI runs it (4 000 batches, about 1.1 million messages), with a random seed that is
// printed first so that a failure can be repeated.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const seed = option("seed") ?? process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = option("runs") ?? process.env.FUZZ_RUNS ?? "4000";
const root = fileURLToPath(new URL("..", import.meta.url));
console.log(
  `fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}  (repeat: npm run fuzz -- --seed ${seed} --runs ${runs})`,
);

// The runtime the fixture is built with comes from dist/: compile it first (in place, no clean).
const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const run = spawnSync(process.execPath, [vitest, "run", "test/reliability/fuzz.test.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} ${run.status === 0 ? "passed" : "FAILED"}`);
process.exit(run.status ?? 1);
