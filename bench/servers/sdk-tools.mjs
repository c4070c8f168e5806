// The official SDK's server of the benchmark's tools (McpServer + zod raw shapes, registered the way
// the SDK's README and docs/server.md show), for any transport: sdk.mjs (stdio), sdk-http.mjs.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import * as z from "zod/v4";
import { searchText } from "./contract.mjs";
import { EXTRA_TOOLS, extraZodShape, searchZodShape } from "./extra-tools.mjs";

/** A new McpServer with the contract's three tools, plus the 97 extra ones when `size` is 100. */
export function createSdkServer(size = 3) {
  const server = new McpServer({ name: "sdk", version: "1.0.0" });

  server.registerTool(
    "echo",
    {
      description: "Echo the message back.",
      inputSchema: { message: z.string().describe("Text to send back unchanged") },
      annotations: { readOnlyHint: true },
    },
    async ({ message }) => ({ content: [{ type: "text", text: message }] }),
  );

  server.registerTool(
    "add",
    {
      description: "Add two numbers.",
      inputSchema: { a: z.number().describe("First addend"), b: z.number().describe("Second addend") },
      annotations: { readOnlyHint: true },
    },
    async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );

  server.registerTool(
    "search",
    {
      description: "Search the records.",
      inputSchema: searchZodShape(z),
      annotations: { readOnlyHint: true },
    },
    async ({ query, limit, filters }) => ({
      content: [{ type: "text", text: searchText(query, limit, filters) }],
    }),
  );

  if (size === 100) {
    for (const tool of EXTRA_TOOLS) {
      server.registerTool(
        tool.name,
        {
          description: tool.description,
          inputSchema: extraZodShape(tool, z),
          annotations: { readOnlyHint: true },
        },
        async () => ({ content: [{ type: "text", text: tool.text }] }),
      );
    }
  }
  return server;
}
