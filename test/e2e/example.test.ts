// The bundled example, end to end: built by the compiler, its dist/server.mjs copied alone into
// an empty directory, and driven there by the official SDK client. tools/list is compared with
// a golden file (UPDATE_GOLDEN=1 rewrites it).
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { call, connectTo, killStrays, type Session } from "./harness.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/bookshop/", import.meta.url));
const GOLDEN = fileURLToPath(new URL("./golden/bookshop-tools.json", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-example-"));
let session: Session;
const logs: unknown[] = [];

beforeAll(async () => {
  const project = join(scratch, "bookshop");
  cpSync(EXAMPLE, project, {
    recursive: true,
    filter: (src) => !/[/\\](dist|\.fastmcp|node_modules)$/.test(src),
  });
  // As in a real project, its dependencies (here: @types/node) are installed.
  symlinkSync(
    fileURLToPath(new URL("../../node_modules", import.meta.url)),
    join(project, "node_modules"),
    "dir",
  );
  const result = await new Builder(project).build();
  expect(result.diagnostics).toEqual([]);
  const alone = join(scratch, "empty");
  mkdirSync(alone);
  copyFileSync(result.serverPath as string, join(alone, "server.mjs"));
  session = await connectTo(join(alone, "server.mjs"), [], alone);
  session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params.data);
  });
}, 60_000);

afterAll(async () => {
  await session?.close();
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

const text = (result: { content?: { text?: string }[] }) =>
  (result.content ?? []).map((c) => c.text).join("\n");

describe("tools/list", () => {
  it("lists every tool with its schema and annotations, as the golden file has them", async () => {
    const { tools } = await session.client.listTools();
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(GOLDEN))
      writeFileSync(GOLDEN, `${JSON.stringify(tools, null, 2)}\n`);
    expect(tools).toEqual(JSON.parse(readFileSync(GOLDEN, "utf8")));
    expect(tools.map((t) => t.name)).toEqual([
      "add_to_cart",
      "clear_cart",
      "convert_price",
      "get_book",
      "list_genres",
      "place_order",
      "search_books",
      "stock_report",
      "view_cart",
    ]);
  });
});

describe("valid calls", () => {
  it("searches with nested filters and returns structured content with a JSON text twin", async () => {
    const result = await call(session.client, "search_books", {
      query: "pride",
      limit: 1,
      filters: { inStock: true, genres: ["fiction"] },
    });
    expect(result.structuredContent).toEqual({
      results: [{ isbn: "9780141439518", title: "Pride and Prejudice", author: "Jane Austen", price: 8.99 }],
      total: 2,
    });
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
    // The text fallback is the same data, so it validates against the advertised outputSchema too.
    const { tools } = await session.client.listTools();
    const schema = tools.find((t) => t.name === "search_books")?.outputSchema as object;
    const ajv = new Ajv2020({ strict: false });
    formats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(text(result))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("wraps a non-object result as { result }", async () => {
    const result = await call(session.client, "list_genres");
    expect(result.structuredContent).toEqual({
      result: ["fiction", "science", "history", "poetry", "children"],
    });
  });

  it("returns numbers and strings as text, and applies defaults", async () => {
    expect(text(await call(session.client, "convert_price", { amount: 100, from: "EUR", to: "GBP" }))).toBe(
      "86",
    );
    expect(text(await call(session.client, "add_to_cart", { isbn: "9780553380163" }))).toBe(
      '1 × "A Brief History of Time" in the cart.',
    );
    const cart = await call(session.client, "view_cart");
    expect(cart.structuredContent).toMatchObject({ currency: "EUR", total: 14.5 });
  });

  it("places an order from a destructured input, logging through ctx.log", async () => {
    const order = await call(session.client, "place_order", {
      shipping: {
        name: "Ada",
        street: "1 Analytical Row",
        city: "London",
        postcode: "N1 9GU",
        country: "GB",
      },
      giftWrap: true,
    });
    expect(order.isError).toBeUndefined();
    expect(order.structuredContent).toMatchObject({
      currency: "EUR",
      total: 14.5,
      lines: [{ isbn: "9780553380163", quantity: 1 }],
    });
    expect(logs).toContainEqual({
      message: "placing an order",
      data: { items: 1, city: "London", giftWrap: true },
    });
  });

  it("reports progress from child tasks", async () => {
    const result = await session.client.callTool(
      { name: "stock_report", arguments: { shelfDelayMs: 10 } },
      undefined,
      {
        onprogress: () => {},
      },
    );
    expect(result.structuredContent).toEqual({
      fiction: 17,
      science: 11,
      history: 0,
      poetry: 6,
      children: 20,
    });
    // On the wire, not through onprogress: the SDK may drop updates that arrive with the response.
    const token = session.wire.filter((e) => e.dir === "out" && e.msg.method === "tools/call").at(-1)?.msg.id;
    const progress = session.wire.filter(
      (e) =>
        e.msg.method === "notifications/progress" &&
        (e.msg.params as { progressToken?: unknown }).progressToken === token,
    );
    expect(progress.map((e) => (e.msg.params as { progress: number }).progress)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("invalid calls", () => {
  it("lists every problem in one isError result", async () => {
    const result = await call(session.client, "search_books", {
      query: "x",
      limit: 0,
      filters: { price: { min: -1 }, color: "red" },
    });
    expect(result.isError).toBe(true);
    expect(text(result).split("\n")).toEqual([
      'Invalid arguments for tool "search_books":',
      "- query: must NOT have fewer than 2 characters",
      "- limit: must be >= 1",
      '- filters: unexpected argument "color"',
      "- filters.price.min: must be >= 0",
    ]);
  });

  it("turns a ToolError into an isError result", async () => {
    const result = await call(session.client, "get_book", { isbn: "9780000000000" });
    expect(result).toEqual({
      content: [{ type: "text", text: "No book with ISBN 9780000000000 in the catalogue." }],
      isError: true,
    });
  });
});

describe("resources and prompts", () => {
  it("reads the static resource and the template", async () => {
    const info = await session.client.readResource({ uri: "bookshop://store/info" });
    expect(info.contents[0]).toMatchObject({ uri: "bookshop://store/info", mimeType: "application/json" });
    const book = await session.client.readResource({ uri: "bookshop://books/9780064400558" });
    expect(JSON.parse((book.contents[0] as { text: string }).text)).toMatchObject({
      title: "Charlotte's Web",
    });
    await expect(session.client.readResource({ uri: "bookshop://books/123" })).rejects.toMatchObject({
      code: -32002,
    });
  });

  it("gets both prompts", async () => {
    const recommend = await session.client.getPrompt({
      name: "recommend_books",
      arguments: { genre: "history", mood: "curious" },
    });
    expect(recommend.messages).toEqual([
      {
        role: "user",
        content: {
          type: "text",
          text: "Recommend three history books from the shop's catalogue. I am in a curious mood. Use search_books to check they are in stock.",
        },
      },
    ]);
    const review = await session.client.getPrompt({ name: "review_request", arguments: { title: "Dune" } });
    expect(review.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    await expect(session.client.getPrompt({ name: "recommend_books", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  });
});
