// Determinism and safety of the output: byte-identical builds wherever the project lives, in
// whatever order its files are listed; unchanged files are not rewritten; hostile strings in
// names, descriptions, enums and defaults come out of the server exactly as written.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { call, connectTo, killStrays } from "../e2e/harness.js";

const PROJECTS = fileURLToPath(new URL("../../fixtures/projects/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-determinism-"));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

function copy(name: string, as: string): string {
  const dir = join(scratch, as);
  cpSync(join(PROJECTS, name), dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|expected)$/.test(src),
  });
  return dir;
}

/** Every output file, relative path → bytes. */
function outputs(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of [".fastmcp", "dist"]) {
    for (const name of readdirSync(join(dir, sub)))
      files.set(`${sub}/${name}`, readFileSync(join(dir, sub, name)));
  }
  return files;
}

describe("determinism", () => {
  it("builds byte-identical output in two places (no absolute paths, no timestamps)", async () => {
    const a = copy("forms", "here");
    const b = copy("forms", "somewhere-else");
    expect((await new Builder(a).build()).ok).toBe(true);
    expect((await new Builder(b).build()).ok).toBe(true);
    const first = outputs(a);
    const second = outputs(b);
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [name, bytes] of first) expect(bytes.equals(second.get(name) as Buffer), name).toBe(true);
    for (const [name, bytes] of first) expect(bytes.toString("utf8"), name).not.toContain(scratch);
  });

  it("does not depend on the order files are listed in", async () => {
    const listed = (dir: string, files: string[]) => {
      const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...config, include: undefined, files }));
    };
    const a = copy("forms", "order-a");
    const b = copy("forms", "order-b");
    listed(a, ["src/index.ts", "src/forms.ts", "src/lib/impl.ts", "src/lib/shapes.ts"]);
    listed(b, ["src/lib/shapes.ts", "src/lib/impl.ts", "src/forms.ts", "src/index.ts"]);
    await new Builder(a).build();
    await new Builder(b).build();
    const first = outputs(a);
    for (const [name, bytes] of outputs(b)) expect(bytes.equals(first.get(name) as Buffer), name).toBe(true);
  });

  it("rewrites nothing when nothing changed", async () => {
    const dir = copy("forms", "again");
    const first = await new Builder(dir).build();
    expect(first.written.length).toBeGreaterThan(0);
    const stamps = new Map([...outputs(dir).keys()].map((name) => [name, statSync(join(dir, name)).mtimeMs]));
    const second = await new Builder(dir).build();
    expect(second.ok).toBe(true);
    expect(second.written).toEqual([]);
    for (const [name, mtime] of stamps) expect(statSync(join(dir, name)).mtimeMs, name).toBe(mtime);
  });

  it("rewrites only what a change affects", async () => {
    const dir = copy("forms", "edit");
    const builder = new Builder(dir);
    await builder.build();
    const source = join(dir, "src", "forms.ts");
    writeFileSync(
      source,
      readFileSync(source, "utf8").replace("An async function declaration.", "Adds two numbers."),
    );
    builder.invalidate(source);
    const rebuilt = await builder.build();
    expect(rebuilt.written.map((p) => relative(dir, p)).sort()).toEqual([
      ".fastmcp/table.ts",
      "dist/manifest.json",
      "dist/server.mjs",
    ]);
  });
});

describe("hostile strings", () => {
  it("generates code that parses and serves every string exactly", async () => {
    const dir = copy("hostile", "hostile");
    const result = await new Builder(dir).build();
    expect(result.diagnostics).toEqual([]);
    const session = await connectTo(result.serverPath as string);
    try {
      expect(session.client.getServerVersion()).toEqual({
        name: 'hostile "names" `${here}`',
        version: "1.0.0-'quoted'",
      });
      const [tool] = (await session.client.listTools()).tools;
      if (tool === undefined) throw new Error("no tool listed");
      expect(tool?.name).toBe("hostile.echo-1");
      expect(tool?.title).toBe('A "title" with `backquotes` and ${braces}');
      expect(tool?.description).toBe(
        "Echoes \"hostile\" input: `code`, ${interpolation}, 'quotes', a \\ backslash,\nand a second line.",
      );
      const mode = (
        tool.inputSchema.properties as Record<
          string,
          { enum?: string[]; description?: string; default?: string }
        >
      ).mode;
      expect(mode?.enum).toEqual([
        'say "hi"',
        "${process.exit(1)}",
        "*/ alert(1) /*",
        "line one\nline two",
        "a\u2028b",
        "__proto__",
      ]);
      expect(mode?.description).toBe('Which "mode" to use; `one` of ${many}');
      const note = (tool.inputSchema.properties as Record<string, { default?: string }>).note;
      expect(note?.default).toBe('${note} "x" `y`');
      for (const value of mode?.enum ?? []) {
        const echoed = await call(session.client, "hostile.echo-1", { mode: value });
        expect(JSON.parse(echoed.content?.[0]?.text as string)).toEqual({
          mode: value,
          payload: {},
          note: '${note} "x" `y`',
        });
      }
      const { resources } = await session.client.listResources();
      expect(resources[0]?.uri).toBe(`hostile://x"y'z`);
      expect(resources[0]?.mimeType).toBe("text/plain"); // inferred: the handler returns a string
      const read = await session.client.readResource({ uri: `hostile://x"y'z` });
      expect((read.contents[0] as { text?: string }).text).toBe("resource `body` ${x} */");
    } finally {
      await session.close();
    }
  });
});
