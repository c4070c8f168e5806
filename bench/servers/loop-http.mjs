// The HTTP floor of bench/http.mjs: plain node:http answering the benchmark's tools with JSON, as a
// hand-written stateless Streamable HTTP endpoint would: no validation, no session, no SSE, a
// precomputed tools/list (contract.mjs). What any Node HTTP server pays per call.
//
//   node loop-http.mjs --port N
import { createServer } from "node:http";
import { toolDefinitions, toolHandlers } from "./contract.mjs";

const portAt = process.argv.indexOf("--port");
const port = portAt === -1 ? 0 : Number(process.argv[portAt + 1]);
const handlers = toolHandlers(3);
const toolsList = JSON.stringify({ tools: toolDefinitions(3) });

function resultOf(message) {
  switch (message.method) {
    case "initialize":
      return JSON.stringify({
        protocolVersion: message.params?.protocolVersion ?? "2025-11-25",
        capabilities: { tools: {} },
        serverInfo: { name: "loop-http", version: "1.0.0" },
      });
    case "ping":
      return "{}";
    case "tools/list":
      return toolsList;
    case "tools/call": {
      const handler = handlers.get(message.params?.name);
      const text =
        handler === undefined
          ? `Unknown tool: ${message.params?.name}`
          : handler(message.params.arguments ?? {});
      return JSON.stringify({
        content: [{ type: "text", text }],
        ...(handler === undefined ? { isError: true } : {}),
      });
    }
    default:
      return undefined;
  }
}

const http = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
      return;
    }
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const result = resultOf(message);
    const id = JSON.stringify(message.id);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      result === undefined
        ? `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`
        : `{"jsonrpc":"2.0","id":${id},"result":${result}}`,
    );
  });
});
http.keepAliveTimeout = 60_000;
http.listen(port, "127.0.0.1", () => {
  process.stdout.write(`MCP_URL=http://127.0.0.1:${http.address().port}/mcp\n`);
});
const stop = () => http.close(() => process.exit(0)).closeAllConnections();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
