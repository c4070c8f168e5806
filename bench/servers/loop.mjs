// The physical limit: a hand-written MCP stdio server in plain Node, no dependencies and no
// argument validation (see loop-core.mjs). `node loop.mjs [--tools 100]`.
import { sizeFromArgv } from "./extra-tools.mjs";
import { runLoop } from "./loop-core.mjs";

runLoop({ name: "loop", size: sizeFromArgv() });
