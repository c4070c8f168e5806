// What generated servers and hand-written tables import: serve(), the dispatch-table types
// and the handler-facing API. The stdio process entry is separate (fastmcp-ts/stdio) because
// importing it takes over stdout.

export * from "./content.js";
export type { Budget, ClientInfo, Context, Logger, LogLevel, SpawnOptions } from "./context.js";
export type { CancelReason, ToolErrorOptions } from "./outcome.js";
export { Cancelled, isCancelled, isToolError, Outcome, ToolError } from "./outcome.js";
export { LATEST_PROTOCOL_VERSION, PROTOCOL_VERSIONS } from "./protocol.js";
export { type ServeOptions, type Server, type ServerStats, serve } from "./serve.js";
export type {
  DispatchTable,
  JsonSchema,
  PromptArgument,
  PromptEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  ServerIdentity,
  ToolAnnotations,
  ToolEntry,
  ValidationIssue,
  Validator,
} from "./table.js";
export { createTestContext, type TestContext, type TestContextOptions } from "./test-context.js";
