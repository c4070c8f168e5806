// The benchmark's tool contract for the hand-written loops (loop.mjs, loop-ajv.mjs) and their
// validators: the tool list of each size as JSON Schema (the same schemas fastmcp-ts generates from
// bench/project-calls and the 100-tool project), and each tool's result text.
// No dependencies.
import { EXTRA_TOOLS, extraJsonSchema, filtersJsonSchema } from "./extra-tools.mjs";

const READ_ONLY = { readOnlyHint: true };

const CONTRACT_TOOLS = [
  {
    name: "echo",
    description: "Echo the message back.",
    inputSchema: {
      type: "object",
      properties: { message: { type: "string", description: "Text to send back unchanged" } },
      required: ["message"],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
  },
  {
    name: "add",
    description: "Add two numbers.",
    inputSchema: {
      type: "object",
      properties: {
        a: { type: "number", description: "First addend" },
        b: { type: "number", description: "Second addend" },
      },
      required: ["a", "b"],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
  },
  {
    name: "search",
    description: "Search the records.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "Free text query" },
        limit: { type: "integer", description: "Max results", minimum: 1, maximum: 100, default: 10 },
        filters: filtersJsonSchema(),
      },
      required: ["query"],
      additionalProperties: false,
    },
    annotations: READ_ONLY,
  },
];

/** The `search` result text: `min(limit, 3)` hits, as JSON. */
export function searchText(query, limit = 10, filters = undefined) {
  const hits = [];
  for (let i = 1; i <= Math.min(limit, 3); i++) hits.push({ id: i, title: `${query} #${i}` });
  return JSON.stringify({ query, limit, tags: filters?.tags ?? [], since: filters?.since ?? null, hits });
}

/** `tools/list` entries for 3 or 100 tools. */
export function toolDefinitions(size) {
  if (size === 3) return CONTRACT_TOOLS;
  return [
    ...CONTRACT_TOOLS,
    ...EXTRA_TOOLS.map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: extraJsonSchema(tool),
      annotations: READ_ONLY,
    })),
  ];
}

/** Tool name → function from the call's arguments to the result text. */
export function toolHandlers(size) {
  const handlers = new Map([
    ["echo", (args) => args.message],
    ["add", (args) => String(args.a + args.b)],
    ["search", (args) => searchText(args.query, args.limit, args.filters)],
  ]);
  if (size === 100) for (const tool of EXTRA_TOOLS) handlers.set(tool.name, () => tool.text);
  return handlers;
}
