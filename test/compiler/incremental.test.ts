// Rebuilds with one Builder (fastmcp dev): only what an edit touches is parsed, scanned, turned
// into schemas and compiled again, and the output is the same as a cold build's.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Builder, type BuildResult } from "../../src/compiler/build.js";

const scratch = mkdtempSync(join(tmpdir(), "fastmcp-incremental-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  "package.json": '{ "name": "incremental", "version": "1.0.0", "type": "module" }\n',
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      lib: ["ES2022"],
      types: [],
      noEmit: true,
    },
    include: ["src"],
  }),
  "src/types.ts": "export interface Order {\n  id: string;\n  /** @minimum 1 */\n  quantity: number;\n}\n",
  "src/a.ts": `/** Adds. @tool */
export async function add(a: number, b: number): Promise<number> {
  return a + b;
}

/** Greets. @tool */
export async function greet(name: string): Promise<string> {
  return "hi " + name;
}
`,
  "src/b.ts": `import type { Order } from "./types.js";

/** Places an order. @tool */
export async function place(order: Order): Promise<Order> {
  return order;
}
`,
  "src/globals.d.ts": "interface Shelf {\n  label: string;\n}\n",
  "src/c.ts": `/** Stocks a shelf (a global type). @tool */
export async function stock(shelf: Shelf): Promise<string> {
  return shelf.label;
}
`,
};

function project(name: string): string {
  const dir = join(scratch, name);
  for (const [file, content] of Object.entries(FILES)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

function edit(builder: Builder, dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, "utf8")));
  builder.invalidate(path);
}

function expectOk(result: BuildResult): BuildResult {
  expect(result.diagnostics).toEqual([]);
  expect(result.ok).toBe(true);
  return result;
}

const schemaOf = (result: BuildResult, tool: string) =>
  result.entries.find((e) => e.name === tool)?.inputSchema as { properties: Record<string, unknown> };

describe("incremental rebuilds", () => {
  const dir = project("edits");
  const builder = new Builder(dir, { incremental: true });
  afterAll(() => builder.dispose());

  it("does everything on the first build", async () => {
    const { work } = expectOk(await builder.build());
    expect(work.parsedFiles).toBeGreaterThanOrEqual(5);
    expect(work.scannedFiles).toBe(3);
    expect(work.compiledValidators).toBe(4);
  });

  it("does nothing again when nothing changed, and writes nothing", async () => {
    const result = expectOk(await builder.build());
    expect(result.work).toEqual({
      parsedFiles: 0,
      scannedFiles: 0,
      generatedSchemas: 0,
      compiledValidators: 0,
    });
    expect(result.written).toEqual([]);
  });

  it("re-reads only the edited file, and compiles no validator for an unchanged schema", async () => {
    edit(builder, dir, "src/a.ts", (text) => text.replace("Adds.", "Adds two numbers."));
    const result = expectOk(await builder.build());
    expect(result.work.parsedFiles).toBe(2); // src/a.ts, as written and with its synthetic declarations
    expect(result.work.scannedFiles).toBe(1);
    expect(result.work.generatedSchemas).toBe(2); // the input schemas of add and greet (text results have none)
    expect(result.work.compiledValidators).toBe(0);
    expect(result.entries.find((e) => e.name === "add")?.description).toBe("Adds two numbers.");
  });

  it("compiles the validator of the one schema that changed", async () => {
    edit(builder, dir, "src/a.ts", (text) => text.replace("name: string", "name: string, times?: number"));
    const result = expectOk(await builder.build());
    expect(result.work.compiledValidators).toBe(1);
    expect(Object.keys(schemaOf(result, "greet").properties)).toEqual(["name", "times"]);
  });

  it("rescans the files that import an edited type, and only those", async () => {
    edit(builder, dir, "src/types.ts", (text) =>
      text.replace("quantity: number;", "quantity: number;\n  note?: string;"),
    );
    const result = expectOk(await builder.build());
    expect(result.work.scannedFiles).toBe(1); // src/b.ts
    expect(result.work.compiledValidators).toBe(1);
    const order = schemaOf(result, "place").properties.order as { properties: Record<string, unknown> };
    expect(Object.keys(order.properties)).toEqual(["id", "quantity", "note"]);
  });

  it("rescans every file after a global declaration changes", async () => {
    edit(builder, dir, "src/globals.d.ts", (text) =>
      text.replace("label: string;", "label: string;\n  row: number;"),
    );
    const result = expectOk(await builder.build());
    expect(result.work.scannedFiles).toBe(3);
    const shelf = schemaOf(result, "stock").properties.shelf as { required: string[] };
    expect(shelf.required).toEqual(["label", "row"]);
  });

  it("keeps the last schemas through a failed build and recovers", async () => {
    edit(builder, dir, "src/b.ts", (text) => `${text}\nexport const broken: number = "x";\n`);
    const failed = await builder.build();
    expect(failed.ok).toBe(false);
    expect(failed.diagnostics.map((d) => d.code)).toEqual(["TS2322"]);
    edit(builder, dir, "src/b.ts", (text) => text.replace('\nexport const broken: number = "x";\n', ""));
    const result = expectOk(await builder.build());
    expect(result.work.compiledValidators).toBe(0);
  });

  it("writes the same server as a cold build of the same files", async () => {
    const server = readFileSync(join(dir, "dist", "server.mjs"), "utf8");
    const manifest = readFileSync(join(dir, "dist", "manifest.json"), "utf8");
    const copy = join(scratch, "cold");
    cpSync(join(dir, "src"), join(copy, "src"), { recursive: true });
    for (const file of ["package.json", "tsconfig.json"]) cpSync(join(dir, file), join(copy, file));
    expectOk(await new Builder(copy).build());
    expect(readFileSync(join(copy, "dist", "server.mjs"), "utf8")).toBe(server);
    expect(readFileSync(join(copy, "dist", "manifest.json"), "utf8")).toBe(manifest);
  });
});
