// Easy-to-get-wrong forms, built and called through the SDK client (which checks structured
// results against the output schema): nullable and Outcome results, `this` parameters, explicit
// false hints, Object.prototype names, emit-only tsconfig settings, and files outside the project.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { call, connectTo, killStrays, type Session } from "../e2e/harness.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/projects/edges/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-edges-"));
let session: Session;

beforeAll(async () => {
  const dir = join(scratch, "edges");
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !/[/\\](dist|\.fastmcp)$/.test(src) });
  // The fixture's tsconfig asks for declarations (declarationMap, emitDeclarationOnly): still builds.
  const result = await new Builder(dir).build();
  expect(result.diagnostics).toEqual([]);
  session = await connectTo(result.serverPath as string);
  await session.client.listTools(); // lets the client check structured results against output schemas
}, 60_000);

afterAll(async () => {
  await session?.close();
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

describe("results", () => {
  it.each([
    ["a nullable object, found", "maybe", { found: true }, { result: { x: 1, y: 2 } }],
    ["a nullable object, not found", "maybe", { found: false }, { result: null }],
    ["an Outcome through an alias", "aliased", { ok: true }, { x: 3, y: 4 }],
    ["an inferred Outcome", "inferredOutcome", { ok: true }, { x: 5, y: 6 }],
  ])("%s", async (_what, name, args, structured) => {
    const result = await call(session.client, name, args);
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual(structured);
  });

  it.each([
    ["aliased", "not ok"],
    ["inferredOutcome", "refused"],
  ])("%s answers Outcome.err with an isError result", async (name, message) => {
    expect(await call(session.client, name, { ok: false })).toEqual({
      content: [{ type: "text", text: message }],
      isError: true,
    });
  });
});

describe("parameters", () => {
  it("leaves a `this` parameter out of the input and the call", async () => {
    expect((await call(session.client, "withThis", { a: "A", b: 2 })).content).toEqual([
      { type: "text", text: "A 2" },
    ]);
  });

  it.each([
    [{}, "none none"],
    [{ valueOf: "v" }, "v none"],
    [{ constructor: "c" }, "none c"],
  ])("reads only own arguments for names Object.prototype also has: %j", async (args, text) => {
    const result = await call(session.client, "prototypeNames", args);
    expect(result.isError).toBeUndefined();
    expect(result.content).toEqual([{ type: "text", text }]);
  });
});

describe("annotations", () => {
  it("keeps hints set to false", async () => {
    const tool = (await session.client.listTools()).tools.find((t) => t.name === "hints");
    expect(tool?.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
  });
});

describe("files outside the project directory", () => {
  function layout(shared: string): string {
    const root = mkdtempSync(join(scratch, "outside-"));
    mkdirSync(join(root, "app", "src"), { recursive: true });
    mkdirSync(join(root, "shared"));
    writeFileSync(join(root, "app", "package.json"), '{ "name": "app", "type": "module" }');
    writeFileSync(join(root, "package.json"), '{ "type": "module" }');
    writeFileSync(join(root, "shared", "greet.ts"), shared);
    writeFileSync(join(root, "app", "src", "index.ts"), 'export { greet } from "../../shared/greet.js";\n');
    return join(root, "app");
  }

  it("serves a handler re-exported from outside", async () => {
    const app = layout(
      "/** Greets. @tool */\nexport async function greet(name: string): Promise<string> {\n  return `hi ${name}`;\n}\n",
    );
    const result = await new Builder(app).build({ check: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.entries.map((e) => `${e.name} ${e.location.file}`)).toEqual(["greet ../shared/greet.ts"]);
  });

  it("fails on a type error outside, as tsc would", async () => {
    const app = layout(
      "/** Greets. @tool */\nexport async function greet(name: string): Promise<string> {\n  const n: number = name;\n  return `hi ${n}`;\n}\n",
    );
    const result = await new Builder(app).build({ check: true });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toEqual([
      "TS2322 ../shared/greet.ts:3",
    ]);
  });
});
