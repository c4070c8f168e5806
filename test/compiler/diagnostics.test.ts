// Golden diagnostics: each project in fixtures/diagnostics/<code>-<case> breaks one rule, and its
// expected.txt is what `fastmcp build` prints for it. UPDATE_GOLDEN=1 rewrites the files.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { Code, formatDiagnostic, summarise } from "../../src/compiler/diagnostics.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/diagnostics/", import.meta.url));
const cases = readdirSync(FIXTURES).sort();
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-diagnostics-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Builds a copy of the fixture (so nothing is written into the repository) and prints like the CLI. */
async function buildCase(name: string) {
  const dir = join(scratch, name);
  cpSync(join(FIXTURES, name), dir, { recursive: true, filter: (src) => !src.endsWith("expected.txt") });
  const result = await new Builder(dir).build();
  const text = result.diagnostics
    .map((d) => formatDiagnostic(d, (file) => readFileSync(join(dir, file), "utf8")))
    .join("\n");
  return { result, text: `${text}\n${summarise(result.diagnostics)}\n` };
}

describe("diagnostics", () => {
  it.each(cases)("%s", async (name) => {
    const { result, text } = await buildCase(name);
    const expectedPath = join(FIXTURES, name, "expected.txt");
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(expectedPath)) writeFileSync(expectedPath, text);
    expect(text).toBe(readFileSync(expectedPath, "utf8"));
    const code = name.split("-")[0] as string;
    expect(result.diagnostics.map((d) => d.code)).toContain(code);
    const warningOnly = result.diagnostics.every((d) => d.severity === "warning");
    expect(result.ok).toBe(warningOnly);
  });

  it("has a fixture for every code", () => {
    const missing = Object.values(Code).filter((code) => !cases.some((c) => c.startsWith(`${code}-`)));
    expect(missing).toEqual([]);
  });
});
