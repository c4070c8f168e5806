// `fastmcp list` and `fastmcp call` as a user and a CI step run them against a built bundle:
// readable output, --json, exit codes (0 ok, 1 isError or protocol error, 2 usage), missing bundles.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callCommand } from "../../src/cli/call.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "fastmcp.js");
const REFERENCE = join(ROOT, "build", "fixtures", "reference", "server.js");
const GOLDEN_TOOLS = join(ROOT, "test", "e2e", "golden", "bookshop-tools.json");
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-list-call-"));

function fastmcp(args: string[], cwd = scratch) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  const project = join(scratch, "bookshop");
  cpSync(join(ROOT, "examples", "bookshop"), project, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|node_modules)$/.test(src),
  });
  // As in a real project, its dependencies (here: @types/node) are installed.
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  const build = fastmcp(["build", "bookshop"]);
  expect(build.stderr).toBe("");
  expect(build.code).toBe(0);
  mkdirSync(join(scratch, "unbuilt"));
  writeFileSync(join(scratch, "unbuilt", "package.json"), "{}\n");
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("fastmcp list", () => {
  it("prints tools with parameters and hints, resources, templates and prompts, aligned", () => {
    const { code, stdout, stderr } = fastmcp(["list", "bookshop"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("bookshop 1.0.0 (MCP 2025-11-25)");
    expect(lines).toContain("Tools (9)");
    expect(stdout).toContain(
      "  search_books   Search books: Search the catalogue by title or author. [read-only]\n" +
        "                 query: string, limit?: integer, filters?: object\n",
    );
    expect(stdout).toContain("  clear_cart     Empty the cart. [destructive, idempotent]\n");
    expect(stdout).toContain('amount: number, from: "EUR" | "USD" | "GBP", to: "EUR" | "USD" | "GBP"');
    expect(stdout).toContain(
      "Resources (1)\n  bookshop://store/info  application/json  Opening hours and contact details.\n",
    );
    expect(stdout).toContain(
      "Resource templates (1)\n  bookshop://books/{isbn}  application/json  One book of the catalogue.\n",
    );
    expect(stdout).toContain(
      "Prompts (2)\n  recommend_books  Ask for book recommendations.\n                   genre, mood?\n",
    );
  });

  it("prints the lists as the server returned them with --json", () => {
    const { code, stdout } = fastmcp(["list", "bookshop", "--json"]);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout);
    expect(listed.tools).toEqual(JSON.parse(readFileSync(GOLDEN_TOOLS, "utf8")));
    expect(listed.serverInfo).toEqual({ name: "bookshop", version: "1.0.0" });
    expect(listed.protocolVersion).toBe("2025-11-25");
    expect(listed.resources.map((r: { uri: string }) => r.uri)).toEqual(["bookshop://store/info"]);
    expect(listed.resourceTemplates.map((r: { uriTemplate: string }) => r.uriTemplate)).toEqual([
      "bookshop://books/{isbn}",
    ]);
    expect(listed.prompts.map((p: { name: string }) => p.name)).toEqual([
      "recommend_books",
      "review_request",
    ]);
  });

  it("runs the project in the working directory by default", () => {
    const { code, stdout } = fastmcp(["list"], join(scratch, "bookshop"));
    expect(code).toBe(0);
    expect(stdout).toContain("Tools (9)");
  });

  it("follows nextCursor through every page", () => {
    // The reference server, with two tools per page.
    const paged = join(scratch, "paged.mjs");
    writeFileSync(
      paged,
      `process.argv.push("--page-size", "2");\nawait import(${JSON.stringify(new URL(`file://${REFERENCE}`).href)});\n`,
    );
    const all = JSON.parse(fastmcp(["list", "--server", REFERENCE, "--json"]).stdout);
    const { code, stdout } = fastmcp(["list", "--server", paged, "--json"]);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout);
    expect(all.tools.length).toBeGreaterThan(20);
    expect(listed.tools).toEqual(all.tools);
    expect(listed.resourceTemplates).toEqual(all.resourceTemplates);
  });

  it("says how to build a project that has no bundle, and exits 1", () => {
    const { code, stdout, stderr } = fastmcp(["list", "unbuilt"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "error: unbuilt/dist/server.mjs not found: run `fastmcp build unbuilt` first (or pass --server <path> to a built server.mjs)\n",
    );
    expect(fastmcp(["list", "--server", "nowhere/server.mjs"]).stderr).toBe(
      "error: no server at nowhere/server.mjs: --server must name a built server.mjs\n",
    );
  });

  it("shows the server's stderr when the server fails, and exits 1", () => {
    writeFileSync(join(scratch, "crash.mjs"), 'console.error("boom: no config");\nprocess.exit(3);\n');
    const { code, stdout, stderr } = fastmcp(["list", "--server", "crash.mjs"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "error: the server exited with code 3 before answering\nserver stderr:\nboom: no config\n",
    );
  });

  it("fails when the server writes anything but JSON-RPC on stdout", () => {
    writeFileSync(join(scratch, "chatty.mjs"), 'process.stdin.on("data", () => console.log("hello"));\n');
    const { code, stderr } = fastmcp(["list", "--server", "chatty.mjs"]);
    expect(code).toBe(1);
    expect(stderr).toBe("error: the server wrote a line that is not JSON on stdout: hello\n");
  });
});

describe("fastmcp call", () => {
  it("prints structuredContent as indented JSON, once", () => {
    const { code, stdout, stderr } = fastmcp([
      "call",
      "search_books",
      '{"query":"pride","limit":1}',
      "bookshop",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${JSON.stringify(
        {
          results: [
            { isbn: "9780141439518", title: "Pride and Prejudice", author: "Jane Austen", price: 8.99 },
          ],
          total: 2,
        },
        null,
        2,
      )}\n`,
    );
  });

  it("prints text as it is, and takes {} when no arguments are given", () => {
    const converted = fastmcp([
      "call",
      "convert_price",
      '{"amount":100,"from":"EUR","to":"GBP"}',
      "bookshop",
    ]);
    expect(converted).toEqual({ code: 0, stdout: "86\n", stderr: "" });
    const genres = fastmcp(["call", "list_genres"], join(scratch, "bookshop"));
    expect(genres.code).toBe(0);
    expect(JSON.parse(genres.stdout)).toEqual({
      result: ["fiction", "science", "history", "poetry", "children"],
    });
    expect(fastmcp(["call", "clear_cart", "{}", "bookshop"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("summarises images", () => {
    const { code, stdout } = fastmcp(["call", "picture", "--server", REFERENCE]);
    expect(code).toBe(0);
    expect(stdout).toBe("a single red pixel\n[image image/png, 70 bytes]\n");
  });

  it("prints an isError result on stderr and exits 1", () => {
    const missing = fastmcp(["call", "get_book", '{"isbn":"9780000000000"}', "bookshop"]);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: "No book with ISBN 9780000000000 in the catalogue.\n",
    });
    const invalid = fastmcp(["call", "search_books", '{"query":"x","limit":0}', "bookshop"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      'Invalid arguments for tool "search_books":\n- query: must NOT have fewer than 2 characters\n- limit: must be >= 1\n',
    );
  });

  it("prints a protocol error as `error <code>: <message>` and exits 1", () => {
    expect(fastmcp(["call", "nope", "{}", "bookshop"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "error -32602: Unknown tool: nope\n",
    });
  });

  it("shows the server's stderr with a panic, and hides it when nothing failed", () => {
    const panic = fastmcp(["call", "bigint", "--server", REFERENCE]);
    expect(panic.code).toBe(1);
    expect(panic.stderr).toMatch(
      /^error -32603: Internal error in tool "bigint" \(ref (\w{8})\); see the server log\nserver stderr:\n\[fastmcp\] panic \1 in tool "bigint"/,
    );
    const noisy = fastmcp(["call", "noisy", "--server", REFERENCE]);
    expect(noisy.code).toBe(0);
    expect(noisy.stderr).toBe("");
    const verbose = fastmcp(["call", "noisy", "--server", REFERENCE, "--verbose"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).not.toBe("");
    expect(verbose.stdout).toBe(noisy.stdout);
  });

  it("prints the raw result, or the error object, with --json; same exit codes", () => {
    const ok = fastmcp([
      "call",
      "convert_price",
      '{"amount":100,"from":"EUR","to":"GBP"}',
      "bookshop",
      "--json",
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ content: [{ type: "text", text: "86" }] });
    const failed = fastmcp(["call", "get_book", '{"isbn":"9780000000000"}', "bookshop", "--json"]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      content: [{ type: "text", text: "No book with ISBN 9780000000000 in the catalogue." }],
      isError: true,
    });
    const unknown = fastmcp(["call", "nope", "{}", "bookshop", "--json"]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ code: -32602, message: "Unknown tool: nope" });
  });

  it.each([
    ["not JSON", "{query:1}", "error: the arguments are not valid JSON: "],
    ["an array", "[1]", "error: the arguments must be a JSON object, not an array: [1]"],
    ["a string", '"x"', 'error: the arguments must be a JSON object, not a string: "x"'],
    ["null", "null", "error: the arguments must be a JSON object, not null: null"],
  ])("exits 2 when the arguments are %s", (_what, json, message) => {
    const { code, stdout, stderr } = fastmcp(["call", "search_books", json, "bookshop"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.startsWith(message)).toBe(true);
  });

  it("suggests '{}' when the arguments look like the directory", () => {
    const { code, stderr } = fastmcp(["call", "list_genres", "bookshop"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "To call list_genres without arguments in bookshop: fastmcp call list_genres '{}' bookshop",
    );
  });

  it.each([
    ["no tool name", ["call"]],
    ["a bad --timeout", ["call", "list_genres", "{}", "bookshop", "--timeout", "soon"]],
  ])("exits 2 on %s", (_what, args) => {
    expect(fastmcp(args).code).toBe(2);
  });

  it("gives up after --timeout ms and exits 1", () => {
    // The call needs at least 5 s; the handshake gets the same 2 s, plenty even on a loaded machine.
    const { code, stderr } = fastmcp([
      "call",
      "stock_report",
      '{"shelfDelayMs":5000}',
      "bookshop",
      "--timeout",
      "2000",
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe("error: no answer to tools/call within 2000 ms\n");
  });

  it("says how to build a project that has no bundle, and exits 1", () => {
    const { code, stderr } = fastmcp(["call", "list_genres", "{}", "unbuilt"]);
    expect(code).toBe(1);
    expect(stderr).toContain("run `fastmcp build unbuilt` first");
  });

  it("shows progress only when asked to (the CLI asks when stderr is a terminal)", async () => {
    expect(fastmcp(["call", "stock_report", '{"shelfDelayMs":1}', "bookshop"]).stderr).toBe("");
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const code = await callCommand(
      "stock_report",
      '{"shelfDelayMs":1}',
      join(scratch, "bookshop"),
      { showProgress: true },
      io,
    );
    expect(code).toBe(0);
    expect(err).toEqual(
      [1, 2, 3, 4, 5].map((n) => expect.stringMatching(new RegExp(`^progress ${n}/5 checked \\w+\\n$`))),
    );
    expect(JSON.parse(out.join(""))).toMatchObject({ fiction: 17 });
  });
});
