// The official MCP TypeScript SDK, v1 (@modelcontextprotocol/sdk): McpServer + StdioServerTransport
// with zod raw shapes (sdk-tools.mjs), written the way the SDK's README and docs/server.md show.
// `node sdk.mjs [--tools 100]`.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { sizeFromArgv } from "./extra-tools.mjs";
import { createSdkServer } from "./sdk-tools.mjs";

const server = createSdkServer(sizeFromArgv());
const transport = new StdioServerTransport();
await server.connect(transport);
