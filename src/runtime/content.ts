// Content blocks (MCP 2025-11-25 server/tools "Tool Result") and helpers that build them.
// Helper-made blocks carry a symbol brand so a tool's return value can pass them through
// untouched while an ordinary object that happens to have a `type` field is still data.

const CONTENT = Symbol.for("fastmcp-ts.content");

export interface ContentAnnotations {
  audience?: ("user" | "assistant")[];
  priority?: number;
  lastModified?: string;
}

export interface TextContent {
  type: "text";
  text: string;
  annotations?: ContentAnnotations;
}
export interface ImageContent {
  type: "image";
  data: string;
  mimeType: string;
  annotations?: ContentAnnotations;
}
export interface AudioContent {
  type: "audio";
  data: string;
  mimeType: string;
  annotations?: ContentAnnotations;
}
export interface ResourceLink {
  type: "resource_link";
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  annotations?: ContentAnnotations;
}
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string }
  | { uri: string; mimeType?: string; blob: string };
export interface EmbeddedResource {
  type: "resource";
  resource: ResourceContents;
  annotations?: ContentAnnotations;
}
export type Content = TextContent | ImageContent | AudioContent | ResourceLink | EmbeddedResource;

/** One message of a prompt (`prompts/get`). */
export interface PromptMessage {
  role: "user" | "assistant";
  content: Content;
}

function branded<C extends Content>(block: C): C {
  Object.defineProperty(block, CONTENT, { value: true });
  return block;
}

export function isContent(value: unknown): value is Content {
  return typeof value === "object" && value !== null && (value as { [CONTENT]?: boolean })[CONTENT] === true;
}

/** Binary data as base64; strings are taken to be base64 already. */
export function toBase64(data: Uint8Array | string): string {
  return typeof data === "string"
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

export function text(value: string, annotations?: ContentAnnotations): TextContent {
  return branded(annotations ? { type: "text", text: value, annotations } : { type: "text", text: value });
}

export function image(data: Uint8Array | string, mimeType: string): ImageContent {
  return branded({ type: "image", data: toBase64(data), mimeType });
}

export function audio(data: Uint8Array | string, mimeType: string): AudioContent {
  return branded({ type: "audio", data: toBase64(data), mimeType });
}

export function resourceLink(link: Omit<ResourceLink, "type">): ResourceLink {
  return branded({ type: "resource_link", ...link });
}

/** A resource embedded in a result: text for strings, base64 `blob` for bytes. */
export function embedded(uri: string, contents: string | Uint8Array, mimeType?: string): EmbeddedResource {
  const resource: ResourceContents =
    typeof contents === "string" ? { uri, text: contents } : { uri, blob: toBase64(contents) };
  if (mimeType !== undefined) resource.mimeType = mimeType;
  return branded({ type: "resource", resource });
}
