// Turns what a handler returned into the MCP result for its kind (DESIGN §1 "Return values"),
// and validator issues into messages a model can act on. Everything here returns serialised
// JSON; a value JSON cannot represent throws, which the caller treats as a panic.
import { isContent, type PromptMessage, toBase64 } from "./content.js";
import { textResultJson } from "./protocol.js";
import type { ResourceEntry, ResourceTemplateEntry, ToolEntry, ValidationIssue } from "./table.js";

const EMPTY_TOOL_RESULT = '{"content":[]}';

export function toolResultJson(value: unknown, tool: ToolEntry, structured: boolean): string {
  if (value === undefined || value === null) {
    // With an output schema the client expects structured content: a nullable result is { result: null }.
    if (tool.outputSchema === undefined || tool.wrapResult !== true) return EMPTY_TOOL_RESULT;
    const content = '{"content":[{"type":"text","text":"{\\"result\\":null}"}]';
    return structured ? `${content},"structuredContent":{"result":null}}` : `${content}}`;
  }
  if (isContent(value)) return JSON.stringify({ content: [value] });
  if (Array.isArray(value) && value.length > 0 && value.every(isContent))
    return JSON.stringify({ content: value });
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw new TypeError(`a tool result cannot be a ${typeof value}`);
  }
  if (tool.outputSchema === undefined) {
    if (typeof value === "string") return textResultJson(value, false);
    // JSON.stringify, not String: see encodeId in protocol.ts (same text for finite numbers).
    if (typeof value === "number")
      return textResultJson(Number.isFinite(value) ? JSON.stringify(value) : String(value), false);
    if (typeof value === "boolean") return textResultJson(value ? "true" : "false", false);
  }
  const data =
    tool.wrapResult === true || typeof value !== "object" || Array.isArray(value) ? { result: value } : value;
  const json = serialise(data);
  const content = `{"content":[{"type":"text","text":${JSON.stringify(json)}}]`;
  return structured ? `${content},"structuredContent":${json}}` : `${content}}`;
}

export function resourceResultJson(
  value: unknown,
  uri: string,
  entry: ResourceEntry | ResourceTemplateEntry,
): string {
  let contents: Record<string, string>;
  if (typeof value === "string") {
    contents = { uri, mimeType: entry.mimeType ?? "text/plain", text: value };
  } else if (value instanceof Uint8Array) {
    contents = { uri, mimeType: entry.mimeType ?? "application/octet-stream", blob: toBase64(value) };
  } else {
    contents = { uri, mimeType: entry.mimeType ?? "application/json", text: serialise(value) };
  }
  return JSON.stringify({ contents: [contents] });
}

export function promptResultJson(value: unknown, description: string | undefined): string {
  let messages: unknown;
  if (typeof value === "string") messages = [userText(value)];
  else if (Array.isArray(value)) messages = value.map((m) => (typeof m === "string" ? userText(m) : m));
  else if (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { messages?: unknown }).messages)
  ) {
    return serialise({ description, ...value });
  } else throw new TypeError(`a prompt must return a string or PromptMessage[], got ${describe(value)}`);
  return serialise({ description, messages });
}

function userText(text: string): PromptMessage {
  return { role: "user", content: { type: "text", text } };
}

/** JSON.stringify that refuses values it would silently drop. */
function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`the result is not serialisable to JSON (${describe(value)})`);
  return json;
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

/** Validators keep this many problems (an invalid input may have one per array item). */
export const MAX_LISTED_PROBLEMS = 100;

/** One line per problem: `filters.tags[0]: must be string`, `missing required argument "b"`. */
export function describeIssues(issues: readonly ValidationIssue[] | null | undefined): string[] {
  if (!issues || issues.length === 0) return ["the arguments do not match the input schema"];
  const lines = issues.map((issue) => {
    const at = readablePath(issue.instancePath);
    const where = at === "" ? "" : `${at}: `;
    const params = issue.params;
    if (issue.keyword === "required")
      return `${where}missing required argument ${JSON.stringify(params.missingProperty)}`;
    if (issue.keyword === "additionalProperties") {
      return `${where}unexpected argument ${JSON.stringify(params.additionalProperty)}`;
    }
    return `${at === "" ? "arguments" : at}: ${issue.message ?? `fails ${issue.keyword}`}`;
  });
  if (issues.length >= MAX_LISTED_PROBLEMS)
    lines.push(`(the first ${MAX_LISTED_PROBLEMS} problems; there may be more)`);
  return lines;
}

function readablePath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}
