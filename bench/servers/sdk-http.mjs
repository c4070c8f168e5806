// The official SDK's Streamable HTTP server, stateless, as the SDK documents it: for every POST a new
// McpServer (sdk-tools.mjs, the benchmark's three tools) and a new StreamableHTTPServerTransport with
// `sessionIdGenerator: undefined`, closed when the response closes. Plain node:http, no framework.
// GET and DELETE get 405 (no standalone SSE stream, no sessions to end).
//
//   node sdk-http.mjs --port N [--json]     # --json: enableJsonResponse (JSON instead of an SSE stream)
import { createServer } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createSdkServer } from "./sdk-tools.mjs";

const portAt = process.argv.indexOf("--port");
const port = portAt === -1 ? 0 : Number(process.argv[portAt + 1]);
const enableJsonResponse = process.argv.includes("--json");

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const http = createServer(async (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "POST", "Content-Type": "application/json" });
    res.end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Method not allowed."},"id":null}');
    return;
  }
  try {
    const body = await readJson(req);
    const server = createSdkServer(3);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse,
    });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  } catch {
    if (!res.headersSent) {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end('{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}');
    }
  }
});
http.keepAliveTimeout = 60_000;
http.listen(port, "127.0.0.1", () => {
  process.stdout.write(`MCP_URL=http://127.0.0.1:${http.address().port}/mcp\n`);
});
const stop = () => http.close(() => process.exit(0)).closeAllConnections();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
