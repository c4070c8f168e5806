// `fastmcp build` as a user and a CI step run it: summaries, --json, tsc-style diagnostics, exit codes.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "fastmcp.js");
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-cli-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function copy(from: string, as: string): string {
  const dir = join(scratch, as);
  cpSync(join(ROOT, from), dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|expected)$/.test(src),
  });
  return dir;
}

function fastmcp(args: string[], cwd = scratch) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("fastmcp build", () => {
  it("says what it found, where the server is and how long it took", () => {
    copy("fixtures/projects/forms", "human");
    const { code, stdout, stderr } = fastmcp(["build", "human"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Built 12 tools from 2 files in \d+\.\d\d s\n {2}server: {3}human\/dist\/server\.mjs \(\d+\.\d KiB\)\n {2}manifest: human\/dist\/manifest\.json\n$/,
    );
  });

  it("prints machine-readable results with --json", () => {
    copy("fixtures/projects/forms", "json");
    const { code, stdout } = fastmcp(["build", "json", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: true,
      server: "json/dist/server.mjs",
      manifest: "json/dist/manifest.json",
      diagnostics: [],
    });
    expect(report.entries).toHaveLength(12);
    expect(report.entries[0]).toEqual({ kind: "tool", name: "area", source: "src/forms.ts:43:23" });
    expect(typeof report.durationMs).toBe("number");
    const manifest = JSON.parse(readFileSync(join(scratch, "json", "dist", "manifest.json"), "utf8"));
    expect(manifest.tools.map((t: { name: string }) => t.name)).toEqual(
      report.entries.map((e: { name: string }) => e.name),
    );
  });

  it("writes to an absolute --out-dir as given, not below the project", () => {
    copy("fixtures/projects/forms", "absolute");
    const out = join(scratch, "elsewhere", "out");
    const { code, stdout } = fastmcp(["build", "absolute", "--out-dir", out, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).server).toBe("elsewhere/out/server.mjs");
    expect(existsSync(join(out, "server.mjs"))).toBe(true);
    expect(existsSync(join(scratch, "absolute", scratch.slice(1)))).toBe(false);
  });

  it("prints diagnostics like tsc and exits 1", () => {
    copy("fixtures/diagnostics/FMCP2001-unsupported-types", "broken");
    const { code, stdout, stderr } = fastmcp(["build", "broken"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      "broken/src/tools.ts:6:32 - error FMCP2001: parameter at contains Date, which JSON cannot carry",
    );
    expect(stderr).toContain("  hint: use string with @format date-time (or @format date)");
    expect(stderr.trimEnd().split("\n").at(-1)).toBe("Found 10 errors in 1 file.");
  });

  it("reports diagnostics as data with --json and exits 1", () => {
    copy("fixtures/diagnostics/FMCP1007-duplicate-names", "duplicates");
    const { code, stdout } = fastmcp(["build", "duplicates", "--json"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.server).toBeNull();
    expect(report.diagnostics.map((d: { code: string; file: string }) => `${d.code} ${d.file}`)).toEqual([
      "FMCP1007 src/a.ts",
      "FMCP1007 src/b.ts",
    ]);
  });

  it.each([
    ["an unknown command", ["deploy"]],
    ["an unknown option", ["build", "--fast"]],
    ["too many arguments", ["build", "a", "b"]],
    ["no command", []],
  ])("exits 2 on %s", (_what, args) => {
    expect(fastmcp(args).code).toBe(2);
  });

  it("prints help and its version, exiting 0", () => {
    const help = fastmcp(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("build [options] [dir]");
    const version = fastmcp(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });
});
