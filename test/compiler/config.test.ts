// Project configuration: fastmcp.config.json or package.json "fastmcp", flags over both, and an
// error naming the key, the value and what is allowed for every bad value.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { readConfig } from "../../src/compiler/config.js";

const scratch = mkdtempSync(join(tmpdir(), "fastmcp-config-"));
let counter = 0;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = join(scratch, `p${++counter}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const TOOL =
  "/** Echoes. @tool */\nexport async function echo(text: string): Promise<string> {\n  return text;\n}\n";

describe("readConfig", () => {
  it("defaults to package.json's name and version", () => {
    const dir = project({ "package.json": '{ "name": "shop", "version": "2.1.0" }' });
    expect(readConfig(dir)).toEqual({
      value: { name: "shop", version: "2.1.0", outDir: "dist" },
      diagnostics: [],
    });
  });

  it("reads fastmcp.config.json", () => {
    const dir = project({
      "package.json": '{ "name": "shop" }',
      "fastmcp.config.json": JSON.stringify({
        name: "catalogue",
        instructions: "Use search first.",
        requestTimeout: "30s",
        maxConcurrency: 8,
        outDir: "out",
        include: ["lib/**/*.ts"],
      }),
    });
    expect(readConfig(dir).value).toEqual({
      name: "catalogue",
      version: "0.0.0",
      instructions: "Use search first.",
      requestTimeoutMs: 30000,
      maxConcurrency: 8,
      outDir: "out",
      include: ["lib/**/*.ts"],
    });
  });

  it("reads the fastmcp key of package.json, and flags override it", () => {
    const dir = project({
      "package.json": '{ "name": "shop", "fastmcp": { "requestTimeout": 5000, "maxConcurrency": 4 } }',
    });
    expect(readConfig(dir, { maxConcurrency: "16", requestTimeout: undefined }).value).toMatchObject({
      requestTimeoutMs: 5000,
      maxConcurrency: 16,
    });
  });

  it.each([
    [
      "requestTimeout",
      "soon",
      'requestTimeout must be milliseconds (a number, 0 for none) or a duration such as "30s", got "soon"',
    ],
    ["maxConcurrency", 0, "maxConcurrency must be a whole number of at least 1, got 0"],
    ["maxConcurrency", 2.5, "maxConcurrency must be a whole number of at least 1, got 2.5"],
    ["include", "src", 'include must be a non-empty array of glob strings, got "src"'],
    ["name", "", 'name must be a non-empty string, got ""'],
    ["outDir", 42, "outDir must be a non-empty string, got 42"],
    ["timeout", 1, 'unknown key "timeout"'],
  ])("names the key, the value and what is allowed: %s = %j", (key, value, message) => {
    const dir = project({ "fastmcp.config.json": JSON.stringify({ [key]: value }) });
    const { diagnostics } = readConfig(dir);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "FMCP5001",
      severity: "error",
      file: "fastmcp.config.json",
      message,
    });
  });

  it.each([0, 1023, 2.5, 268435457, "lots", "1TB", "5 constructor", "-1", true, null])(
    "names the allowed range of maxMessageBytes: %j",
    (value) => {
      const { diagnostics } = readConfig(
        project({ "fastmcp.config.json": JSON.stringify({ maxMessageBytes: value }) }),
      );
      expect(diagnostics).toEqual([
        expect.objectContaining({
          code: "FMCP5001",
          file: "fastmcp.config.json",
          message: `maxMessageBytes must be a whole number of bytes from 1024 to 268435456 (256 MiB) or a size such as "4MiB" or "500KB", got ${JSON.stringify(value)}`,
        }),
      ]);
    },
  );

  it.each([
    [4096, 4096],
    ["65536", 65536],
    ["500KB", 500_000],
    ["64kib", 65_536],
    ["1.5 MiB", 1_572_864],
    ["256MiB", 268_435_456],
    ["1GB", undefined],
  ])("reads maxMessageBytes %j as %j bytes", (value, bytes) => {
    const { value: config, diagnostics } = readConfig(
      project({ "fastmcp.config.json": JSON.stringify({ maxMessageBytes: value }) }),
    );
    expect(config.maxMessageBytes).toBe(bytes);
    expect(diagnostics).toHaveLength(bytes === undefined ? 1 : 0);
  });

  it("takes maxMessageBytes from --max-message-bytes over the file", () => {
    const dir = project({ "fastmcp.config.json": '{ "maxMessageBytes": "1MiB" }' });
    expect(readConfig(dir, { maxMessageBytes: "2048" }).value.maxMessageBytes).toBe(2048);
    expect(readConfig(dir, { maxMessageBytes: "x" }).diagnostics[0]).toMatchObject({
      file: "--max-message-bytes",
    });
  });

  it("reads maxResponseBytes like maxMessageBytes, and names its allowed range", () => {
    const ok = project({ "fastmcp.config.json": '{ "maxResponseBytes": "1MiB" }' });
    expect(readConfig(ok).value.maxResponseBytes).toBe(1024 * 1024);
    const bad = project({ "fastmcp.config.json": '{ "maxResponseBytes": 10 }' });
    expect(readConfig(bad).diagnostics[0]?.message).toBe(
      'maxResponseBytes must be a whole number of bytes from 1024 to 268435456 (256 MiB) or a size such as "4MiB" or "500KB", got 10',
    );
  });

  it("says which flag carried a bad value", () => {
    const { diagnostics } = readConfig(project({}), { maxConcurrency: "many" });
    expect(diagnostics[0]).toMatchObject({
      file: "--max-concurrency",
      message: 'maxConcurrency must be a whole number of at least 1, got "many"',
    });
  });

  it("refuses two sources of configuration and a malformed file", () => {
    const both = project({ "package.json": '{ "fastmcp": {} }', "fastmcp.config.json": "{}" });
    expect(readConfig(both).diagnostics[0]?.message).toContain("both fastmcp.config.json and");
    const broken = project({ "fastmcp.config.json": "{ name: x }" });
    expect(readConfig(broken).diagnostics[0]?.message).toMatch(/^fastmcp.config.json is not valid JSON/);
  });
});

describe("a build with configuration", () => {
  it("serves the configured name and instructions, scans the included files and writes to outDir", async () => {
    const dir = project({
      "package.json": '{ "name": "shop", "version": "1.0.0", "type": "module" }',
      "fastmcp.config.json": JSON.stringify({
        name: "catalogue",
        instructions: "Use echo.",
        include: ["lib/**/*.ts"],
        outDir: "out",
        requestTimeout: "2s",
        maxConcurrency: 3,
        maxMessageBytes: "1MiB",
      }),
      "lib/tools.ts": TOOL,
      "src/ignored.ts": TOOL.replace("echo", "ignored"),
    });
    const result = await new Builder(dir).build();
    expect(result.diagnostics).toEqual([]);
    expect(result.entries.map((e) => e.name)).toEqual(["echo"]);
    expect(result.serverPath).toBe(join(dir, "out", "server.mjs"));
    const server = readFileSync(join(dir, ".fastmcp", "server.ts"), "utf8");
    expect(server).toContain(
      'runServer(table, {\n  "requestTimeoutMs": 2000,\n  "maxConcurrency": 3,\n  "maxMessageBytes": 1048576\n});',
    );
    const table = readFileSync(join(dir, ".fastmcp", "table.ts"), "utf8");
    expect(table).toContain('"name": "catalogue"');
    expect(table).toContain('"instructions": "Use echo."');
  });

  it("reports a bad configuration together with everything else", async () => {
    const dir = project({
      "package.json": '{ "type": "module" }',
      "fastmcp.config.json": '{ "maxConcurrency": -1 }',
      "src/tools.ts":
        "/** @tool */\nexport async function when(at: Date): Promise<string> {\n  return String(at);\n}\n",
    });
    const result = await new Builder(dir).build();
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FMCP5001", "FMCP2001"]);
  });
});
