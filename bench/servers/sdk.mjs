// The official MCP TypeScript SDK, v1 (@modelcontextprotocol/sdk): McpServer + StdioServerTransport
// with zod raw shapes, written the way the SDK's README and docs/server.md show.
// `node sdk.mjs [--tools 100]`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as z from "zod/v4";
import { EXTRA_TOOLS, extraZodShape, sizeFromArgv } from "./extra-tools.mjs";

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
    inputSchema: {
      query: z.string().describe("Free text query"),
      limit: z.number().int().min(1).max(100).default(10).describe("Max results"),
      filters: z
        .object({
          tags: z.array(z.string()).describe("Only records with all of these tags."),
          since: z.iso
            .datetime({ offset: true })
            .optional()
            .describe("Only records changed on or after this instant."),
        })
        .optional()
        .describe("Narrow the search down"),
    },
    annotations: { readOnlyHint: true },
  },
  async ({ query, limit, filters }) => {
    const hits = [];
    for (let i = 1; i <= Math.min(limit, 3); i++) hits.push({ id: i, title: `${query} #${i}` });
    const text = JSON.stringify({
      query,
      limit,
      tags: filters?.tags ?? [],
      since: filters?.since ?? null,
      hits,
    });
    return { content: [{ type: "text", text }] };
  },
);

if (sizeFromArgv() === 100) {
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

const transport = new StdioServerTransport();
await server.connect(transport);
