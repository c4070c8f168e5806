// Drives the built bookshop server with the official MCP SDK client, the way a desktop client
// would: `node bin/fastmcp.js build examples/bookshop && node examples/bookshop/demo.mjs`.
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const server = fileURLToPath(new URL("./dist/server.mjs", import.meta.url));
const client = new Client({ name: "bookshop-demo", version: "1.0.0" });
await client.connect(
  new StdioClientTransport({ command: process.execPath, args: [server], stderr: "inherit" }),
);

const show = (label, value) =>
  console.log(`\n▸ ${label}\n${typeof value === "string" ? value : JSON.stringify(value, null, 2)}`);
const textOf = (result) => result.content.map((c) => c.text ?? `[${c.type}]`).join("\n");

const { tools } = await client.listTools();
show(`${tools.length} tools`, tools.map((t) => `${t.name}: ${t.description}`).join("\n"));

const found = await client.callTool(
  { name: "search_books", arguments: { query: "pride", filters: { inStock: true } } },
  undefined,
  { onprogress: (p) => console.log(`  progress ${p.progress}/${p.total} ${p.message ?? ""}`) },
);
show('search_books { query: "pride", filters: { inStock: true } }', found.structuredContent);

show(
  'add_to_cart { isbn: "9780141439518", quantity: 2 }',
  textOf(await client.callTool({ name: "add_to_cart", arguments: { isbn: "9780141439518", quantity: 2 } })),
);
show(
  'view_cart { currency: "USD" }',
  (await client.callTool({ name: "view_cart", arguments: { currency: "USD" } })).structuredContent,
);

const invalid = await client.callTool({ name: "add_to_cart", arguments: { isbn: "12345", quantity: 0 } });
show(`add_to_cart with bad arguments (isError: ${invalid.isError})`, textOf(invalid));

const missing = await client.callTool({ name: "get_book", arguments: { isbn: "9780000000000" } });
show(`get_book for an unknown ISBN (isError: ${missing.isError})`, textOf(missing));

show(
  "resource bookshop://store/info",
  (await client.readResource({ uri: "bookshop://store/info" })).contents[0].text,
);
show(
  "resource bookshop://books/9780553380163",
  (await client.readResource({ uri: "bookshop://books/9780553380163" })).contents[0].text,
);
show(
  'prompt recommend_books { genre: "poetry" }',
  (await client.getPrompt({ name: "recommend_books", arguments: { genre: "poetry" } })).messages[0].content
    .text,
);

await client.close();
