// The bundle does not depend on where the project sits: byte-identical dist/server.mjs from two directories of different depth, no path of this package in it, and the server (validators, runtime) works.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { PACKAGE_ROOT } from "../../src/compiler/program.js";
import { call, connectTo, killStrays, type Session } from "../e2e/harness.js";

const PROJECT = fileURLToPath(new URL("../../fixtures/projects/bundled/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-bundle-"));
const shallow = join(scratch, "a", "p");
const deep = join(scratch, "b", "c", "d", "p");
let bundle: string;

beforeAll(async () => {
  for (const dir of [shallow, deep]) {
    mkdirSync(join(dir, ".."), { recursive: true });
    cpSync(PROJECT, dir, { recursive: true, filter: (src) => !/[/\\](dist|\.fastmcp)$/.test(src) });
    const result = await new Builder(dir).build();
    expect(result.diagnostics).toEqual([]);
  }
  bundle = readFileSync(join(shallow, "dist", "server.mjs"), "utf8");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

describe("bundle", () => {
  it("is byte-identical from two directories of different depth", () => {
    expect(
      readFileSync(join(deep, "dist", "server.mjs")).equals(
        readFileSync(join(shallow, "dist", "server.mjs")),
      ),
    ).toBe(true);
  });

  it("names this package's modules by stable paths, never by where the package is", () => {
    expect(bundle).not.toContain(PACKAGE_ROOT);
    expect(bundle).not.toContain(scratch);
    expect(bundle).not.toMatch(/^\/\/ \.\.\//m);
    expect(bundle).not.toMatch(/"\.\.\/[^"]*"\(/);
    expect(bundle).not.toContain("node_modules/");
    for (const module of [
      "fastmcp-ts:runtime/stdio.js",
      "fastmcp-ts:runtime/outcome.js",
      "deps:ajv/dist/runtime/ucs2length.js",
      "deps:ajv/dist/runtime/equal.js",
      "deps:fast-deep-equal/index.js",
      "deps:ajv-formats/dist/formats.js",
    ])
      expect(bundle).toContain(`// ${module}\n`);
    // One copy of the runtime: the handlers' ToolError is the server's.
    expect(bundle.match(/^\/\/ fastmcp-ts:runtime\/outcome\.js$/gm)).toHaveLength(1);
  });

  describe("the built server", () => {
    let session: Session;
    beforeAll(async () => {
      session = await connectTo(join(deep, "dist", "server.mjs"));
    });
    afterAll(async () => {
      await session.close();
    });

    it.each<[string, string, Record<string, unknown>, boolean, RegExp]>([
      [
        "valid input",
        "register",
        { name: "Ada", email: "ada@example.org" },
        false,
        /^Ada <ada@example.org>$/,
      ],
      [
        "a date-time (ajv-formats)",
        "register",
        { name: "Ada", email: "ada@example.org", since: "2020-01-02T03:04:05Z" },
        false,
        /since 2020/,
      ],
      [
        "a bad date-time (ajv-formats)",
        "register",
        { name: "Ada", email: "ada@example.org", since: "yesterday" },
        true,
        /since: must match format "date-time"/,
      ],
      [
        "too long a name (ucs2length)",
        "register",
        { name: "x".repeat(21), email: "ada@example.org" },
        true,
        /name: must NOT have more than 20 characters/,
      ],
      ["a bad email", "register", { name: "Ada", email: "nope" }, true, /email: must match format "email"/],
      [
        "a ToolError from the handler",
        "register",
        { name: "nobody", email: "n@example.org" },
        true,
        /nobody cannot register/,
      ],
      [
        "distinct points (fast-deep-equal)",
        "distinct",
        {
          points: [
            { x: 1, y: 2 },
            { x: 2, y: 1 },
          ],
        },
        false,
        /^2$/,
      ],
      [
        "repeated points (fast-deep-equal)",
        "distinct",
        {
          points: [
            { x: 1, y: 2 },
            { x: 1, y: 2 },
          ],
        },
        true,
        /must NOT have duplicate items/,
      ],
    ])("handles %s", async (_case, tool, args, isError, text) => {
      const result = await call(session.client, tool, args);
      expect(result.isError ?? false).toBe(isError);
      expect(result.content?.[0]?.text).toMatch(text);
    });
  });
});
