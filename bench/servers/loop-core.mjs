// The hand-written MCP stdio loop shared by loop.mjs and loop-ajv.mjs: NDJSON JSON-RPC on
// stdin/stdout with nothing in between. Lines are split by hand (no readline), every message of a
// stdin chunk is answered in one `process.stdout.write`, `tools/list` is a string prepared at start.
// It answers initialize (version negotiation), ping, tools/list and tools/call, ignores
// notifications and responses, and exits when stdin ends (nothing else keeps the process alive).
import { toolDefinitions, toolHandlers } from "./contract.mjs";

const VERSIONS = new Set(["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]);
const LATEST = "2025-11-25";

/**
 * Serves `size` tools on stdin/stdout. `validate(name, args)`, when given, returns undefined for
 * valid arguments or a text listing the problems, which becomes an `isError` result.
 */
export function runLoop({ name, size, validate }) {
  const handlers = toolHandlers(size);
  const listJson = JSON.stringify({ tools: toolDefinitions(size) });
  const serverInfo = { name, version: "1.0.0" };

  const result = (id, value) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${value}}`;
  const error = (id, code, message) => JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } });
  const textResult = (id, text) => result(id, JSON.stringify({ content: [{ type: "text", text }] }));
  const errorResult = (id, text) =>
    result(id, JSON.stringify({ content: [{ type: "text", text }], isError: true }));

  function callTool(id, params) {
    const tool = params?.name;
    const handler = handlers.get(tool);
    if (handler === undefined) return error(id, -32602, `Unknown tool: ${tool}`);
    const args = params.arguments ?? {};
    const problems = validate?.(tool, args);
    if (problems !== undefined) {
      return errorResult(id, `Invalid arguments for tool ${tool}: ${problems}`);
    }
    try {
      return textResult(id, handler(args));
    } catch (err) {
      return error(id, -32603, `Internal error in tool ${tool}: ${err}`);
    }
  }

  // One line in, the reply line out (undefined: nothing to answer).
  function answer(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return error(null, -32700, "Parse error");
    }
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      return error(null, -32600, "Invalid Request");
    }
    const { id, method, params } = message;
    if (typeof method !== "string" || id === undefined) return undefined; // a response or a notification
    switch (method) {
      case "initialize": {
        const asked = params?.protocolVersion;
        const protocolVersion = VERSIONS.has(asked) ? asked : LATEST;
        return result(id, JSON.stringify({ protocolVersion, capabilities: { tools: {} }, serverInfo }));
      }
      case "ping":
        return result(id, "{}");
      case "tools/list":
        return result(id, listJson);
      case "tools/call":
        return callTool(id, params);
      default:
        return error(id, -32601, `Method not found: ${method}`);
    }
  }

  let pending = "";
  process.stdin.setEncoding("utf8"); // decodes characters split across chunks
  process.stdin.on("data", (chunk) => {
    pending += chunk;
    const replies = [];
    let start = 0;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n", start)) {
      const line = pending.slice(start, end).trim();
      start = end + 1;
      if (line === "") continue;
      const reply = answer(line);
      if (reply !== undefined) replies.push(reply);
    }
    pending = pending.slice(start);
    if (replies.length > 0) process.stdout.write(`${replies.join("\n")}\n`);
  });
}
