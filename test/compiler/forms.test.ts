// Every supported way to declare a handler (fixtures/projects/forms), built, checked against the
// golden generated table, type-checked against the handlers, and called through the SDK client.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Builder, type BuildResult } from "../../src/compiler/build.js";
import { readProject } from "../../src/compiler/program.js";
import { call, connectTo, killStrays, type Session } from "../e2e/harness.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/projects/forms/", import.meta.url));
const GOLDEN = join(FIXTURE, "expected", "table.ts");
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-forms-"));
const project = join(scratch, "forms");
let result: BuildResult;
let session: Session;

beforeAll(async () => {
  cpSync(FIXTURE, project, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|expected)$/.test(src),
  });
  result = await new Builder(project).build();
  expect(result.diagnostics).toEqual([]);
  session = await connectTo(result.serverPath as string);
}, 60_000);

afterAll(async () => {
  await session?.close();
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

describe("generated code", () => {
  it("matches the golden table (UPDATE_GOLDEN=1 rewrites it)", () => {
    const table = readFileSync(join(project, ".fastmcp", "table.ts"), "utf8");
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, table);
    expect(table).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("type-checks against the handlers it calls", () => {
    const { options } = readProject(project).value as { options: ts.CompilerOptions };
    const program = ts.createProgram([join(project, ".fastmcp", "server.ts")], options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems).toEqual([]);
  });
});

describe("each form, called", () => {
  it.each([
    ["an async function declaration", "declared", { a: 2, b: 3 }, "5"],
    ["a const arrow function", "arrow", { text: "shout" }, "SHOUT"],
    ["a synchronous function", "sync", { flag: true }, "yes"],
    ["export { f as g }: the exported name", "renamed", { value: "x" }, "renamed x"],
    ["a re-export under a new name", "greet", { name: "Ada" }, "hello Ada (request seen)"],
    ["the context first", "ctxFirst", { value: "v" }, "v function"],
    ["the context in the middle", "ctxMiddle", { before: "b", after: "a" }, "b-a"],
    ["the context last", "ctxLast", { value: 21 }, "42"],
    ["a destructured input with a default", "area", { width: 2, height: 3, origin: { x: 0, y: 0 } }, "6 cm²"],
    ["optional and default parameters left out", "measure", { length: 3 }, "length: 3 cm"],
    [
      "optional and default parameters given",
      "measure",
      { length: 3, unit: "in", label: "rope" },
      "rope: 3 in",
    ],
  ])("%s", async (_form, name, args, expected) => {
    const result = await call(session.client, name, args);
    expect(result.isError).toBeUndefined();
    expect(result.content?.[0]?.text).toBe(expected);
  });

  it("a destructured input after the context, returning an object", async () => {
    const result = await call(session.client, "shift", { origin: { x: 1, y: 2 }, width: 10, height: 1 });
    expect(result.structuredContent).toEqual({ x: 11, y: 2 });
  });

  it("a named default export, under its function name", async () => {
    const result = await call(session.client, "fallback", { point: { x: 1, y: -2 } });
    expect(result.structuredContent).toEqual({ x: -1, y: 2 });
  });

  it("lists exactly these tools, with imported types inlined in the schemas", async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "area",
      "arrow",
      "ctxFirst",
      "ctxLast",
      "ctxMiddle",
      "declared",
      "fallback",
      "greet",
      "measure",
      "renamed",
      "shift",
      "sync",
    ]);
    const measure = tools.find((t) => t.name === "measure");
    expect(measure?.inputSchema).toEqual({
      type: "object",
      properties: {
        length: { type: "number" },
        unit: {
          type: "string",
          enum: ["cm", "in"],
          description: "The unit, inches or centimetres",
          default: "cm",
        },
        label: { type: "string" },
      },
      required: ["length"],
      additionalProperties: false,
    });
  });
});
