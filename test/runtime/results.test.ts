// Result mapping: tool, resource and prompt return values to MCP results, and validation messages.
import { describe, expect, it } from "vitest";
import { audio, embedded, image, resourceLink, text } from "../../src/runtime/content.js";
import {
  describeIssues,
  promptResultJson,
  resourceResultJson,
  toolResultJson,
} from "../../src/runtime/results.js";
import type { ResourceEntry, ToolEntry, ValidationIssue } from "../../src/runtime/table.js";

const plainTool: ToolEntry = { name: "t", inputSchema: { type: "object" }, invoke: () => undefined };
const schemaTool: ToolEntry = { ...plainTool, outputSchema: { type: "object" } };
const wrappingTool: ToolEntry = { ...plainTool, outputSchema: { type: "object" }, wrapResult: true };

const toolResult = (value: unknown, tool = plainTool, structured = true) =>
  JSON.parse(toolResultJson(value, tool, structured));

/** What a tool result with structured data looks like: the JSON as text plus structuredContent. */
const structuredResult = (data: unknown) => ({
  content: [{ type: "text", text: JSON.stringify(data) }],
  structuredContent: data,
});

describe("toolResultJson", () => {
  it.each<[string, unknown, string]>([
    ["a string", "hello", "hello"],
    ["an empty string", "", ""],
    ["a number", 42.5, "42.5"],
    ["zero", 0, "0"],
    ["true", true, "true"],
    ["false", false, "false"],
  ])("turns %s into one text block", (_name, value, expected) => {
    expect(toolResult(value)).toEqual({ content: [{ type: "text", text: expected }] });
  });

  it.each([undefined, null])("turns %s into empty content", (value) => {
    expect(toolResult(value)).toEqual({ content: [] });
    expect(toolResult(value, schemaTool)).toEqual({ content: [] });
  });

  const bytes = new Uint8Array([1, 2, 3]);
  it.each<[string, unknown, unknown[]]>([
    ["text()", text("hi"), [{ type: "text", text: "hi" }]],
    [
      "text() with annotations",
      text("hi", { audience: ["user"], priority: 1 }),
      [{ type: "text", text: "hi", annotations: { audience: ["user"], priority: 1 } }],
    ],
    ["image()", image(bytes, "image/png"), [{ type: "image", data: "AQID", mimeType: "image/png" }]],
    ["audio()", audio("UklGRg==", "audio/wav"), [{ type: "audio", data: "UklGRg==", mimeType: "audio/wav" }]],
    [
      "resourceLink()",
      resourceLink({ uri: "file://a", name: "a" }),
      [{ type: "resource_link", uri: "file://a", name: "a" }],
    ],
    [
      "embedded()",
      embedded("file://a", "body", "text/plain"),
      [{ type: "resource", resource: { uri: "file://a", text: "body", mimeType: "text/plain" } }],
    ],
    [
      "an array of helpers",
      [text("a"), image(bytes, "image/png")],
      [
        { type: "text", text: "a" },
        { type: "image", data: "AQID", mimeType: "image/png" },
      ],
    ],
  ])("passes %s through as content", (_name, value, content) => {
    expect(toolResult(value)).toEqual({ content });
    expect(toolResult(value, schemaTool)).toEqual({ content });
  });

  it.each<[string, unknown, unknown]>([
    ["an object", { a: 1, b: [true, null] }, { a: 1, b: [true, null] }],
    ["content-shaped data without the brand", { type: "text", text: "x" }, { type: "text", text: "x" }],
    ["an array", [1, "two"], { result: [1, "two"] }],
    ["an empty array", [], { result: [] }],
    [
      "an array of unbranded content",
      [{ type: "text", text: "x" }],
      { result: [{ type: "text", text: "x" }] },
    ],
    ["an array mixing helpers and data", [text("a"), 1], { result: [{ type: "text", text: "a" }, 1] }],
  ])("returns %s as structuredContent plus identical JSON text", (_name, value, data) => {
    const result = toolResult(value);
    expect(result).toEqual(structuredResult(data));
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
  });

  it.each<[string, unknown, unknown]>([
    ["a string", "hi", { result: "hi" }],
    ["a number", 3, { result: 3 }],
    ["a boolean", false, { result: false }],
    ["an array", [1, 2], { result: [1, 2] }],
  ])("wraps %s as { result } for a tool with an outputSchema", (_name, value, data) => {
    expect(toolResult(value, schemaTool)).toEqual(structuredResult(data));
  });

  it("wraps even an object when the tool says wrapResult", () => {
    expect(toolResult({ a: 1 }, wrappingTool)).toEqual(structuredResult({ result: { a: 1 } }));
    expect(toolResult([1], wrappingTool)).toEqual(structuredResult({ result: [1] }));
  });

  it.each<[string, unknown, ToolEntry, unknown]>([
    ["an object", { a: 1 }, plainTool, { a: 1 }],
    ["an array", [1], plainTool, { result: [1] }],
    ["a wrapped string", "hi", schemaTool, { result: "hi" }],
  ])("omits structuredContent for %s when structured=false", (_name, value, tool, data) => {
    expect(toolResult(value, tool, false)).toEqual({
      content: [{ type: "text", text: JSON.stringify(data) }],
    });
  });

  const circular: Record<string, unknown> = { name: "loop" };
  circular.self = circular;
  it.each<[string, unknown, ToolEntry]>([
    ["a BigInt", 10n, plainTool],
    ["a BigInt inside an object", { n: 1n }, plainTool],
    ["a BigInt from a tool with an outputSchema", 10n, wrappingTool],
    ["a circular object", circular, plainTool],
    ["a circular object inside an array", [circular], plainTool],
  ])("throws for %s", (_name, value, tool) => {
    expect(() => toolResultJson(value, tool, true)).toThrow(TypeError);
    expect(() => toolResultJson(value, tool, false)).toThrow(TypeError);
  });
});

describe("resourceResultJson", () => {
  const entry: ResourceEntry = { uri: "file://a", name: "a", invoke: () => undefined };
  const typed = (mimeType: string): ResourceEntry => ({ ...entry, mimeType });
  const contents = (value: unknown, e: ResourceEntry = entry) =>
    JSON.parse(resourceResultJson(value, "file://asked", e)).contents;

  it.each<[string, unknown, ResourceEntry, Record<string, string>]>([
    ["a string as text/plain", "hello", entry, { mimeType: "text/plain", text: "hello" }],
    [
      "bytes as a base64 octet-stream blob",
      new Uint8Array([1, 2, 3]),
      entry,
      { mimeType: "application/octet-stream", blob: "AQID" },
    ],
    [
      "only the viewed bytes of a subarray",
      new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3),
      entry,
      { mimeType: "application/octet-stream", blob: "AQI=" },
    ],
    ["a Buffer as a blob", Buffer.from("hi"), entry, { mimeType: "application/octet-stream", blob: "aGk=" }],
    ["an object as application/json", { a: [1] }, entry, { mimeType: "application/json", text: '{"a":[1]}' }],
    ["a number as application/json", 5, entry, { mimeType: "application/json", text: "5" }],
    [
      "a string with the entry's mimeType",
      "# hi",
      typed("text/markdown"),
      { mimeType: "text/markdown", text: "# hi" },
    ],
    [
      "bytes with the entry's mimeType",
      new Uint8Array([255]),
      typed("image/png"),
      { mimeType: "image/png", blob: "/w==" },
    ],
    [
      "an object with the entry's mimeType",
      { a: 1 },
      typed("application/vnd.x+json"),
      { mimeType: "application/vnd.x+json", text: '{"a":1}' },
    ],
  ])("returns %s, under the URI asked for", (_name, value, e, expected) => {
    expect(contents(value, e)).toEqual([{ uri: "file://asked", ...expected }]);
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["a BigInt", 1n],
  ])("throws for %s", (_name, value) => {
    expect(() => resourceResultJson(value, "file://a", entry)).toThrow(TypeError);
  });
});

describe("promptResultJson", () => {
  const user = (t: string) => ({ role: "user", content: { type: "text", text: t } });
  const prompt = (value: unknown, description?: string) => JSON.parse(promptResultJson(value, description));

  it("turns a string into one user message", () => {
    expect(prompt("hello", "desc")).toEqual({ description: "desc", messages: [user("hello")] });
    expect(prompt("hello")).toEqual({ messages: [user("hello")] });
  });

  it("turns an array of strings and PromptMessages into messages in order", () => {
    const reply = { role: "assistant", content: text("sure") };
    expect(prompt(["a", reply, "b"], "desc")).toEqual({
      description: "desc",
      messages: [user("a"), { role: "assistant", content: { type: "text", text: "sure" } }, user("b")],
    });
  });

  it("takes an object with messages as the result, its own description winning", () => {
    const messages = [user("x")];
    expect(prompt({ messages }, "entry")).toEqual({ description: "entry", messages });
    expect(prompt({ description: "own", messages }, "entry")).toEqual({ description: "own", messages });
  });

  it.each<[string, unknown]>([
    ["a number", 42],
    ["a boolean", true],
    ["null", null],
    ["undefined", undefined],
    ["an object without messages", { text: "hi" }],
    ["an object whose messages is not an array", { messages: "hi" }],
  ])("throws for %s", (_name, value) => {
    expect(() => promptResultJson(value, undefined)).toThrow(TypeError);
  });
});

describe("describeIssues", () => {
  const issue = (instancePath: string, keyword: string, params: Record<string, unknown>, message?: string) =>
    message === undefined ? { instancePath, keyword, params } : { instancePath, keyword, params, message };

  it.each<[string, ValidationIssue, string]>([
    ["a missing argument", issue("", "required", { missingProperty: "b" }), 'missing required argument "b"'],
    [
      "a missing nested property",
      issue("/filters", "required", { missingProperty: "tags" }),
      'filters: missing required argument "tags"',
    ],
    [
      "an unexpected argument",
      issue("", "additionalProperties", { additionalProperty: "c" }),
      'unexpected argument "c"',
    ],
    [
      "an unexpected nested property",
      issue("/filters", "additionalProperties", { additionalProperty: "x" }),
      'filters: unexpected argument "x"',
    ],
    [
      "a wrong type at the root",
      issue("", "type", { type: "object" }, "must be object"),
      "arguments: must be object",
    ],
    [
      "a wrong type in an array inside an object",
      issue("/filters/tags/0", "type", { type: "string" }, "must be string"),
      "filters.tags[0]: must be string",
    ],
    [
      "nested arrays",
      issue("/matrix/1/2", "type", { type: "number" }, "must be number"),
      "matrix[1][2]: must be number",
    ],
    [
      "escaped JSON-pointer characters",
      issue("/a~1b/c~0d", "minimum", { limit: 0 }, "must be >= 0"),
      "a/b.c~d: must be >= 0",
    ],
    ["an issue without a message", issue("/n", "minimum", { limit: 1 }), "n: fails minimum"],
  ])("describes %s", (_name, problem, expected) => {
    expect(describeIssues([problem])).toEqual([expected]);
  });

  it("keeps one line per problem, in order", () => {
    expect(
      describeIssues([
        issue("", "required", { missingProperty: "a" }),
        issue("/b", "type", { type: "integer" }, "must be integer"),
        issue("", "additionalProperties", { additionalProperty: "z" }),
      ]),
    ).toEqual(['missing required argument "a"', "b: must be integer", 'unexpected argument "z"']);
  });

  it.each([null, undefined, []])("falls back to a generic line for %s", (issues) => {
    expect(describeIssues(issues)).toEqual(["the arguments do not match the input schema"]);
  });

  it("says that there may be more when a validator kept as many problems as it keeps (100)", () => {
    const issue = (i: number) => ({
      instancePath: `/tags/${i}`,
      keyword: "type",
      params: {},
      message: "must be string",
    });
    expect(describeIssues(Array.from({ length: 99 }, (_, i) => issue(i)))).toHaveLength(99);
    const lines = describeIssues(Array.from({ length: 100 }, (_, i) => issue(i)));
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toBe("(the first 100 problems; there may be more)");
  });
});
