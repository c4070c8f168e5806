#!/usr/bin/env node
// The MCP Inspector CLI (@modelcontextprotocol/inspector --cli, pinned in test/http/tools) against
// fixtures/projects/conformance served over Streamable HTTP. Each check is one Inspector run
// (`--format json -q`) whose exit code and JSON result are checked; prints PASS/FAIL per check and
// "inspector: N passed, M failed"; exits 1 if any check failed.
//
//   npm run test:inspector
//   node test/http/inspector.mjs --url http://127.0.0.1:3000/mcp     # a server that is already running
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProject, CONFORMANCE_PROJECT, ensureTools, startHttpServer, toolPath } from "./servers.mjs";

const INSPECTOR = toolPath("@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
const TIMEOUT_MS = 60_000;

const names = (list) => list.map((item) => item.name);
const firstText = (result) => result.content?.find((c) => c.type === "text")?.text;

// [name, Inspector arguments, exit code it must give, check of the parsed stdout (true or a reason)]
const CHECKS = [
  ["initialize", ["--method", "initialize"], 0, (r) => r.result.serverInfo?.name === "conformance"],
  [
    "tools/list (--strict: no schema portability errors)",
    ["--method", "tools/list", "--strict"],
    0,
    (r) => names(r.result.tools).includes("test_simple_text") && r.result.tools.length === 9,
  ],
  [
    "tools/call test_simple_text",
    ["--method", "tools/call", "--tool-name", "test_simple_text"],
    0,
    (r) => firstText(r.result) === "This is a simple text response for testing.",
  ],
  [
    "tools/call with arguments",
    [
      "--method",
      "tools/call",
      "--tool-name",
      "json_schema_2020_12_tool",
      "--tool-args-json",
      '{"name":"Ada","address":{"city":"London"}}',
    ],
    0,
    (r) => firstText(r.result) === "Hello Ada from London",
  ],
  [
    "tools/call of a failing tool (isError, Inspector exit 5)",
    ["--method", "tools/call", "--tool-name", "test_error_handling"],
    5,
    (r) =>
      r.result.isError === true &&
      firstText(r.result) === "This tool intentionally returns an error for testing",
  ],
  [
    "resources/list",
    ["--method", "resources/list"],
    0,
    (r) =>
      r.result.resources.map((resource) => resource.uri).join() ===
      "test://static-binary,test://static-text,test://watched-resource",
  ],
  [
    "resources/templates/list",
    ["--method", "resources/templates/list"],
    0,
    (r) => r.result.resourceTemplates?.[0]?.uriTemplate === "test://template/{id}/data",
  ],
  [
    "resources/read of a template",
    ["--method", "resources/read", "--uri", "test://template/42/data"],
    0,
    (r) => JSON.parse(r.result.contents[0].text).id === "42",
  ],
  [
    "prompts/list",
    ["--method", "prompts/list"],
    0,
    (r) => names(r.result.prompts).includes("test_prompt_with_arguments") && r.result.prompts.length === 5,
  ],
  [
    "prompts/get with arguments",
    [
      "--method",
      "prompts/get",
      "--prompt-name",
      "test_prompt_with_arguments",
      "--prompt-args",
      "arg1=a",
      "arg2=b",
    ],
    0,
    (r) => r.result.messages[0].content.text === "Prompt with arguments: arg1='a', arg2='b'",
  ],
  [
    "logging/setLevel",
    ["--method", "logging/setLevel", "--log-level", "debug"],
    0,
    (r) => r.result !== undefined,
  ],
  [
    "--load: 200 calls, 20 at a time",
    [
      "--method",
      "tools/call",
      "--tool-name",
      "test_simple_text",
      "--load",
      "--load-requests",
      "200",
      "--load-concurrency",
      "20",
    ],
    0,
    (r) => r.result.ok === 200 || `${r.result.ok} of 200 ok: ${JSON.stringify(r.result.errorMessages)}`,
  ],
];

/** One Inspector run; resolves with { code, stdout, stderr }. */
function inspect(url, args, home) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [INSPECTOR, "--cli", url, ...args, "--format", "json", "-q", "--stored-auth-only"],
      // A home of its own: the Inspector keeps a catalog and client config under ~/.mcp-inspector.
      { env: { ...process.env, HOME: home }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

async function runChecks(url) {
  const home = mkdtempSync(join(tmpdir(), "fastmcp-inspector-"));
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, args, expectedCode, accept] of CHECKS) {
      const run = await inspect(url, args, home);
      let verdict;
      try {
        // With -q the result goes to stdout and an error envelope to stderr.
        const parsed = JSON.parse(run.stdout.trim() || run.stderr.trim());
        verdict = run.code !== expectedCode ? `exit ${run.code}, expected ${expectedCode}` : accept(parsed);
      } catch (error) {
        verdict = `unreadable output (exit ${run.code}): ${error.message}`;
      }
      if (verdict === true) {
        passed++;
        console.log(`PASS ${name}`);
      } else {
        failed++;
        console.log(`FAIL ${name}: ${verdict || "unexpected result"}`);
        console.log(`  stdout: ${run.stdout.slice(0, 600)}\n  stderr: ${run.stderr.slice(0, 600)}`);
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return { passed, failed };
}

const urlAt = process.argv.indexOf("--url");
ensureTools();
let server;
let failed = 1;
try {
  let url = urlAt === -1 ? undefined : process.argv[urlAt + 1];
  if (url === undefined) {
    server = await startHttpServer(buildProject(CONFORMANCE_PROJECT), { name: "the conformance fixture" });
    url = server.url;
  }
  console.log(`inspector: MCP Inspector CLI against ${url}`);
  const counts = await runChecks(url);
  failed = counts.failed;
  console.log(`inspector: ${counts.passed} passed, ${counts.failed} failed`);
} catch (error) {
  console.error(`inspector: ${error.message}`);
} finally {
  const exit = await server?.stop();
  if (server !== undefined && failed > 0) {
    console.error(`--- server stderr (exit ${JSON.stringify(exit)}) ---\n${server.stderr().slice(-4000)}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
