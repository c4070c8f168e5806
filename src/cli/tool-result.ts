// How `fastmcp call` shows a tool result to a person: text as it is, structuredContent as
// indented JSON (in place of its JSON text twin), other content blocks as one-line summaries.
import { isDeepStrictEqual } from "node:util";

export interface ToolResult {
  content?: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
}

type ContentBlock = { type: string; [field: string]: unknown };

export function formatToolResult(result: ToolResult): string {
  const structured =
    result.structuredContent === undefined ? undefined : JSON.stringify(result.structuredContent, null, 2);
  const parts: string[] = [];
  let structuredShown = false;
  for (const block of result.content ?? []) {
    if (block.type !== "text") parts.push(summariseBlock(block));
    else if (structured !== undefined && isJsonOf(block.text, result.structuredContent)) {
      if (!structuredShown) parts.push(structured);
      structuredShown = true;
    } else parts.push(String(block.text ?? ""));
  }
  if (structured !== undefined && !structuredShown) parts.push(structured);
  return parts.map((part) => (part.endsWith("\n") ? part : `${part}\n`)).join("");
}

/** `[image image/png, 12.3 KiB]`: what a terminal cannot show, described. */
function summariseBlock(block: ContentBlock): string {
  const str = (field: string) => (typeof block[field] === "string" ? (block[field] as string) : undefined);
  switch (block.type) {
    case "image":
    case "audio":
      return `[${block.type} ${str("mimeType") ?? "(no MIME type)"}, ${size(base64Bytes(str("data")))}]`;
    case "resource_link":
      return `[resource link ${[str("uri"), str("name"), str("mimeType")].filter(Boolean).join(", ")}]`;
    case "resource": {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      const text = typeof resource.text === "string" ? resource.text : undefined;
      const blob = typeof resource.blob === "string" ? resource.blob : undefined;
      const bytes = text === undefined ? base64Bytes(blob) : Buffer.byteLength(text);
      const mimeType = typeof resource.mimeType === "string" ? resource.mimeType : undefined;
      return `[resource ${[resource.uri, mimeType, size(bytes)].filter(Boolean).join(", ")}]`;
    }
    default:
      return `[${block.type} content]`;
  }
}

function isJsonOf(text: unknown, value: unknown): boolean {
  if (typeof text !== "string") return false;
  try {
    return isDeepStrictEqual(JSON.parse(text), value);
  } catch {
    return false;
  }
}

function base64Bytes(data: string | undefined): number {
  return data === undefined ? 0 : Buffer.byteLength(data, "base64");
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
