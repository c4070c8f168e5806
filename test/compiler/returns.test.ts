// Return values at build time and on the wire: content blocks and void get no output schema, an
// explicit Outcome<T> is T's schema, and resources get the MIME type of what they return.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { call, connectTo, killStrays, type Session } from "../e2e/harness.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/projects/returns/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-returns-"));
let session: Session;
let manifest: {
  tools: { name: string; outputSchema?: unknown }[];
  resources: { uri: string; mimeType?: string }[];
};

beforeAll(async () => {
  const dir = join(scratch, "returns");
  cpSync(FIXTURE, dir, { recursive: true });
  const result = await new Builder(dir).build();
  expect(result.diagnostics).toEqual([]);
  manifest = JSON.parse(readFileSync(result.manifestPath as string, "utf8"));
  session = await connectTo(result.serverPath as string);
}, 60_000);

afterAll(async () => {
  await session?.close();
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

describe("output schemas", () => {
  it.each([
    ["block", undefined],
    ["blocks", undefined],
    ["nothing", undefined],
    ["outcome", { type: "object", properties: { doubled: { type: "number" } }, required: ["doubled"] }],
  ])("%s", (name, schema) => {
    expect(manifest.tools.find((t) => t.name === name)?.outputSchema).toEqual(schema);
  });
});

describe("results", () => {
  it("passes content blocks through", async () => {
    expect((await call(session.client, "block")).content).toEqual([{ type: "text", text: "a block" }]);
    expect((await call(session.client, "blocks")).content).toEqual([
      { type: "text", text: "a" },
      { type: "image", data: "iVBORw==", mimeType: "image/png" },
    ]);
  });

  it("unwraps an explicit Outcome", async () => {
    expect((await call(session.client, "outcome", { n: 2 })).structuredContent).toEqual({ doubled: 4 });
    expect(await call(session.client, "outcome", { n: -1 })).toEqual({
      content: [{ type: "text", text: "negative" }],
      isError: true,
    });
  });

  it("answers void with empty content", async () => {
    expect(await call(session.client, "nothing")).toEqual({ content: [] });
  });
});

describe("resources", () => {
  it.each([
    ["data://text", "text/plain", { text: "hello" }],
    ["data://bytes", "application/octet-stream", { blob: "AQID" }],
    ["data://json", "application/json", { text: '{"ok":true}' }],
  ])("%s is %s", async (uri, mimeType, body) => {
    expect(manifest.resources.find((r) => r.uri === uri)?.mimeType).toBe(mimeType);
    const { contents } = await session.client.readResource({ uri });
    expect(contents).toEqual([{ uri, mimeType, ...body }]);
  });
});
