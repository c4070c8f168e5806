#!/usr/bin/env node
// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in test/http/tools)
// against fixtures/projects/conformance served over Streamable HTTP: builds the fixture, starts
// `node dist/server.mjs --http --port <free port>`, runs the suite's server scenarios with the
// fixture's expected-failures.yml, and exits with the suite's code (non-zero on any unexpected
// failure, or on an expected failure that now passes).
//
//   npm run test:conformance                         # the "active" suite (30 scenarios)
//   node test/http/conformance.mjs --suite all       # also the pending ones
//   node test/http/conformance.mjs --scenario tools-call-with-progress
//   node test/http/conformance.mjs --url http://127.0.0.1:3000/mcp   # a server that is already running
//   node test/http/conformance.mjs -- -o results/conformance          # anything after -- goes to the suite
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildProject,
  CONFORMANCE_PROJECT,
  ensureTools,
  startHttpServer,
  TOOLS,
  toolPath,
} from "./servers.mjs";

const EXPECTED_FAILURES = join(CONFORMANCE_PROJECT, "expected-failures.yml");

function usage(message) {
  if (message) console.error(`conformance: ${message}`);
  console.error(
    "usage: node test/http/conformance.mjs [--suite active|all|pending] [--scenario S] [--url URL] [-- suite args]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const options = { suite: "active", scenario: undefined, url: undefined, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--suite") options.suite = value();
    else if (arg === "--scenario") options.scenario = value();
    else if (arg === "--url") options.url = value();
    else if (arg === "--") options.extra = argv.slice(i + 1);
    else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
    if (arg === "--") break;
  }
  return options;
}

/** Runs the suite's CLI against `url`; resolves with its exit code. */
function runSuite(url, options) {
  const selection =
    options.scenario === undefined ? ["--suite", options.suite] : ["--scenario", options.scenario];
  const args = [
    "--import",
    join(TOOLS, "node20.mjs"),
    toolPath("@modelcontextprotocol", "conformance", "dist", "index.js"),
    "server",
    "--url",
    url,
    ...selection,
    "--expected-failures",
    EXPECTED_FAILURES,
    ...options.extra,
  ];
  const suite = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
  return new Promise((resolve) => suite.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const options = parseArgs(process.argv.slice(2));
ensureTools();
let server;
let code;
try {
  let url = options.url;
  if (url === undefined) {
    const serverPath = buildProject(CONFORMANCE_PROJECT);
    server = await startHttpServer(serverPath, { name: "the conformance fixture" });
    url = server.url;
  }
  const suitePackage = toolPath("@modelcontextprotocol", "conformance", "package.json");
  const { version } = JSON.parse(readFileSync(suitePackage, "utf8"));
  console.error(`conformance: @modelcontextprotocol/conformance ${version} against ${url}`);
  code = await runSuite(url, options);
} catch (error) {
  console.error(`conformance: ${error.message}`);
  code = 2;
} finally {
  const exit = await server?.stop();
  if (server !== undefined && code !== 0) {
    console.error(`--- server stderr (exit ${JSON.stringify(exit)}) ---\n${server.stderr().slice(-4000)}`);
  }
}
console.error(code === 0 ? "conformance: OK" : `conformance: FAILED (exit ${code})`);
process.exit(code);
