// The API handler authors import from "fastmcp-ts": the context type, outcomes and errors,
// content helpers, and createTestContext for unit tests.

export {
  audio,
  type Content,
  type ContentAnnotations,
  embedded,
  type ImageContent,
  image,
  type PromptMessage,
  type ResourceContents,
  type ResourceLink,
  resourceLink,
  type TextContent,
  text,
} from "./runtime/content.js";
export type { Budget, ClientInfo, Context, Logger, LogLevel, SpawnOptions } from "./runtime/context.js";
export {
  Cancelled,
  type CancelReason,
  isCancelled,
  isToolError,
  Outcome,
  ToolError,
  type ToolErrorOptions,
} from "./runtime/outcome.js";
export {
  createTestContext,
  type RecordedLog,
  type RecordedProgress,
  type TestContext,
  type TestContextOptions,
} from "./runtime/test-context.js";
