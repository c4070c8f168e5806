// The benchmark's tool contract (echo, add, search), written the way a fastmcp-ts user would write
// it: plain exported async functions, JSDoc tags for the schema. Every server in bench/servers
// implements the same three tools (bench/servers/contract.mjs has their JSON Schemas).
import type { Filters, Hit } from "./types.js";

/**
 * Echo the message back.
 * @tool
 * @readOnly
 * @param message Text to send back unchanged
 */
export async function echo(message: string): Promise<string> {
  return message;
}

/**
 * Add two numbers.
 * @tool
 * @readOnly
 * @param a First addend
 * @param b Second addend
 */
export async function add(a: number, b: number): Promise<number> {
  return a + b;
}

/**
 * Search the records.
 * @tool
 * @readOnly
 * @param query Free text query
 * @param limit Max results
 * @integer
 * @minimum 1
 * @maximum 100
 * @param filters Narrow the search down
 */
export async function search(query: string, limit = 10, filters?: Filters): Promise<string> {
  const hits: Hit[] = [];
  for (let i = 1; i <= Math.min(limit, 3); i++) hits.push({ id: i, title: `${query} #${i}` });
  // The contract's result is one text block holding this JSON; an object return type would add
  // structuredContent and an outputSchema, which the other servers do not send.
  return JSON.stringify({ query, limit, tags: filters?.tags ?? [], since: filters?.since ?? null, hits });
}
