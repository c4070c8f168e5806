// Catalog: capabilities, paginated lists, resource-template matching, safe lookups and completions.
import { describe, expect, it } from "vitest";
import { Catalog, InvalidParams, type ListKind } from "../../src/runtime/catalog.js";
import type {
  DispatchTable,
  PromptEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  ToolEntry,
} from "../../src/runtime/table.js";

const server = { name: "test", version: "1.0.0" };
const noop = () => undefined;

const tool = (name: string, extra: Partial<ToolEntry> = {}): ToolEntry => ({
  name,
  inputSchema: { type: "object" },
  invoke: noop,
  ...extra,
});
const resource = (uri: string, extra: Partial<ResourceEntry> = {}): ResourceEntry => ({
  uri,
  name: uri,
  invoke: noop,
  ...extra,
});
const template = (
  uriTemplate: string,
  extra: Partial<ResourceTemplateEntry> = {},
): ResourceTemplateEntry => ({
  uriTemplate,
  name: uriTemplate,
  invoke: noop,
  ...extra,
});
const prompt = (name: string, extra: Partial<PromptEntry> = {}): PromptEntry => ({
  name,
  invoke: noop,
  ...extra,
});

function catalog(table: Omit<DispatchTable, "server">, pageSize = 100): Catalog {
  return new Catalog({ server, ...table }, pageSize);
}

describe("capabilities", () => {
  it.each<[string, Omit<DispatchTable, "server">, Record<string, object>]>([
    ["an empty table", {}, { logging: {} }],
    ["tools", { tools: [tool("t")] }, { tools: {}, logging: {} }],
    ["static resources", { resources: [resource("file://a")] }, { resources: {}, logging: {} }],
    ["resource templates", { resourceTemplates: [template("x://{id}")] }, { resources: {}, logging: {} }],
    ["prompts without completions", { prompts: [prompt("p")] }, { prompts: {}, logging: {} }],
    [
      "a prompt with completions",
      { prompts: [prompt("p", { completions: { style: ["a"] } })] },
      { prompts: {}, logging: {}, completions: {} },
    ],
    [
      "a template with completions",
      { resourceTemplates: [template("x://{id}", { completions: { id: ["1"] } })] },
      { resources: {}, logging: {}, completions: {} },
    ],
    [
      "empty completion maps only",
      {
        prompts: [prompt("p", { completions: {} })],
        resourceTemplates: [template("x://{id}", { completions: {} })],
      },
      { prompts: {}, resources: {}, logging: {} },
    ],
    [
      "everything",
      {
        tools: [tool("t")],
        resources: [resource("file://a")],
        prompts: [prompt("p", { completions: { style: ["a"] } })],
      },
      { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} },
    ],
  ])("advertises exactly what %s offers", (_name, table, expected) => {
    expect(catalog(table).capabilities).toEqual(expected);
  });
});

describe("listPage", () => {
  const many: Omit<DispatchTable, "server"> = {
    tools: ["t1", "t2", "t3", "t4", "t5"].map((name) => tool(name)),
    resources: ["r://1", "r://2", "r://3"].map((uri) => resource(uri)),
    resourceTemplates: ["a://{x}", "b://{x}", "c://{x}", "d://{x}"].map((uri) => template(uri)),
    prompts: ["p1", "p2"].map((name) => prompt(name)),
  };
  const keyOf = (item: Record<string, unknown>) => String(item.name ?? item.uri ?? item.uriTemplate);

  function collect(cat: Catalog, kind: ListKind): { pages: number; keys: string[] } {
    const keys: string[] = [];
    let cursor: unknown;
    let pages = 0;
    do {
      const page = JSON.parse(cat.listPage(kind, cursor, true)) as Record<string, unknown>;
      pages++;
      expect(Object.keys(page).filter((k) => k !== "nextCursor")).toEqual([kind]);
      keys.push(...(page[kind] as Record<string, unknown>[]).map(keyOf));
      cursor = page.nextCursor;
      if (cursor !== undefined) expect(typeof cursor).toBe("string");
    } while (cursor !== undefined && pages < 100);
    return { pages, keys };
  }

  it.each<[ListKind, number, string[]]>([
    ["tools", 3, ["t1", "t2", "t3", "t4", "t5"]],
    ["resources", 2, ["r://1", "r://2", "r://3"]],
    ["resourceTemplates", 2, ["a://{x}", "b://{x}", "c://{x}", "d://{x}"]],
    ["prompts", 1, ["p1", "p2"]],
  ])("pages %s by pageSize 2, the nextCursor chain covering every item once", (kind, pages, keys) => {
    expect(collect(catalog(many, 2), kind)).toEqual({ pages, keys });
  });

  it("puts everything on one page without nextCursor when it fits", () => {
    expect(collect(catalog(many, 500), "tools")).toEqual({ pages: 1, keys: ["t1", "t2", "t3", "t4", "t5"] });
  });

  it("answers an empty list with one empty page", () => {
    expect(JSON.parse(catalog({}, 2).listPage("tools", undefined, true))).toEqual({ tools: [] });
  });

  const forged = (text: string) => Buffer.from(text).toString("base64url");
  it.each<[string, unknown]>([
    ["garbage", "not a cursor"],
    ["an empty string", ""],
    ["a number", 1],
    ["null", null],
    ["an object", { page: 1 }],
    ["a forged cursor for page 0", forged("page:0")],
    ["a forged cursor past the end", forged("page:3")],
    ["a forged negative page", forged("page:-1")],
    ["a forged cursor with trailing text", forged("page:1x")],
    ["a huge page number", forged("page:99999999999999")],
  ])("throws InvalidParams for %s", (_name, cursor) => {
    const cat = catalog(many, 2);
    expect(() => cat.listPage("tools", cursor, true)).toThrow(InvalidParams);
  });

  it("accepts the cursors it handed out again, any number of times", () => {
    const cat = catalog(many, 2);
    const { nextCursor } = JSON.parse(cat.listPage("tools", undefined, true));
    const second = cat.listPage("tools", nextCursor, true);
    expect(cat.listPage("tools", nextCursor, true)).toBe(second);
    expect(JSON.parse(second).tools.map(keyOf)).toEqual(["t3", "t4"]);
  });

  describe("structured and legacy lists", () => {
    const cat = catalog({
      tools: [
        tool("t", {
          title: "Tee",
          description: "a tool",
          outputSchema: { type: "object" },
          annotations: { readOnlyHint: true },
        }),
      ],
      resources: [resource("r://1", { title: "Arr", mimeType: "text/plain" })],
      resourceTemplates: [template("x://{id}", { title: "Ex" })],
      prompts: [prompt("p", { title: "Pee", arguments: [{ name: "a", required: true }] })],
    });
    const first = (kind: ListKind, structured: boolean) =>
      JSON.parse(cat.listPage(kind, undefined, structured))[kind][0];

    it("includes titles and output schemas when structured", () => {
      expect(first("tools", true)).toEqual({
        name: "t",
        title: "Tee",
        description: "a tool",
        inputSchema: { type: "object" },
        outputSchema: { type: "object" },
        annotations: { readOnlyHint: true },
      });
      expect(first("resources", true).title).toBe("Arr");
      expect(first("resourceTemplates", true).title).toBe("Ex");
      expect(first("prompts", true).title).toBe("Pee");
    });

    it("drops title and outputSchema when structured=false", () => {
      expect(first("tools", false)).toEqual({
        name: "t",
        description: "a tool",
        inputSchema: { type: "object" },
        annotations: { readOnlyHint: true },
      });
      expect(first("resources", false)).toEqual({ uri: "r://1", name: "r://1", mimeType: "text/plain" });
      expect(first("resourceTemplates", false)).toEqual({ uriTemplate: "x://{id}", name: "x://{id}" });
      expect(first("prompts", false)).toEqual({ name: "p", arguments: [{ name: "a", required: true }] });
    });
  });
});

describe("matchTemplate", () => {
  const cat = catalog({
    resourceTemplates: [
      template("users://{id}/profile"),
      template("repo://{owner}/{name}/issues/{number}"),
      template("calc://v1.0/{a}+{b}*(x)|[y]$^"),
    ],
  });
  const match = (uri: string) => {
    const found = cat.matchTemplate(uri);
    return found && { template: found.entry.uriTemplate, variables: { ...found.variables } };
  };

  it.each<[string, string, string, Record<string, string>]>([
    ["one variable", "users://42/profile", "users://{id}/profile", { id: "42" }],
    [
      "several variables",
      "repo://octo/cat/issues/7",
      "repo://{owner}/{name}/issues/{number}",
      { owner: "octo", name: "cat", number: "7" },
    ],
    ["a percent-encoded value, decoded once", "users://%2541/profile", "users://{id}/profile", { id: "%41" }],
    ["an encoded slash inside a variable", "users://a%2Fb/profile", "users://{id}/profile", { id: "a/b" }],
    ["encoded UTF-8", "users://%C3%A9t%C3%A9/profile", "users://{id}/profile", { id: "été" }],
    [
      "regex characters in the template, literally",
      "calc://v1.0/2+3*(x)|[y]$^",
      "calc://v1.0/{a}+{b}*(x)|[y]$^",
      { a: "2", b: "3" },
    ],
  ])("matches %s", (_name, uri, expectedTemplate, variables) => {
    expect(match(uri)).toEqual({ template: expectedTemplate, variables });
  });

  it.each([
    ["a slash inside a variable", "users://a/b/profile"],
    ["an empty variable", "users:///profile"],
    ["a trailing segment", "users://42/profile/extra"],
    ["a prefix", "xusers://42/profile"],
    ["a query inside a variable", "users://42?x=1/profile"],
    ["'.' used as a wildcard", "calc://v1x0/2+3*(x)|[y]$^"],
    ["'*' used as a quantifier", "calc://v1.0/2+3((x)|[y]$^"],
    ["'|' used as alternation", "calc://v1.0/2+3*(x)"],
    ["'[y]' used as a character class", "calc://v1.0/2+3*(x)|y$^"],
  ])("does not match %s", (_name, uri) => {
    expect(cat.matchTemplate(uri)).toBeUndefined();
  });

  it.each(["users://%E0%A4%A/profile", "users://%zz/profile", "users://%/profile"])(
    "throws InvalidParams for malformed percent-encoding in %s",
    (uri) => {
      expect(() => cat.matchTemplate(uri)).toThrow(InvalidParams);
    },
  );
});

describe("lookups by name and URI", () => {
  const cat = catalog({
    tools: [tool("search")],
    resources: [resource("file://config.json")],
    resourceTemplates: [template("notes://{topic}", { completions: { topic: ["budgets"] } })],
    prompts: [prompt("greeting", { completions: { style: ["formal"] } })],
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "cannot reach the inherited property %s",
    (key) => {
      expect(cat.tools.get(key)).toBeUndefined();
      expect(cat.prompts.get(key)).toBeUndefined();
      expect(cat.resources.get(key)).toBeUndefined();
      expect(cat.matchTemplate(key)).toBeUndefined();
      expect(() => cat.complete({ type: "ref/prompt", name: key }, "style", "")).toThrow(InvalidParams);
      expect(() => cat.complete({ type: "ref/resource", uri: key }, "topic", "")).toThrow(InvalidParams);
      for (const ref of [
        { type: "ref/prompt", name: "greeting" },
        { type: "ref/resource", uri: "notes://{topic}" },
      ]) {
        expect(JSON.parse(cat.complete(ref, key, ""))).toEqual({
          completion: { values: [], total: 0, hasMore: false },
        });
      }
    },
  );

  it("finds entries whose names are those of inherited properties", () => {
    const odd = catalog({
      tools: [tool("constructor")],
      prompts: [prompt("__proto__", { completions: { toString: ["yes"] } })],
    });
    expect(odd.tools.get("constructor")?.name).toBe("constructor");
    expect(odd.tools.get("toString")).toBeUndefined();
    expect(
      JSON.parse(odd.complete({ type: "ref/prompt", name: "__proto__" }, "toString", "")).completion,
    ).toEqual({ values: ["yes"], total: 1, hasMore: false });
  });
});

describe("complete", () => {
  const hundredFifty = Array.from({ length: 150 }, (_, i) => `item-${String(i).padStart(3, "0")}`);
  const cat = catalog({
    resourceTemplates: [
      template("notes://{topic}", {
        completions: { topic: ["budgets", "Cancellation", "children", "masking"] },
      }),
    ],
    prompts: [
      prompt("greeting", { completions: { style: ["Formal", "casual", "FRIENDLY"] } }),
      prompt("big", { completions: { n: hundredFifty, exact: hundredFifty.slice(0, 100) } }),
      prompt("plain"),
    ],
  });
  const complete = (ref: unknown, argument: string, value: string) =>
    JSON.parse(cat.complete(ref, argument, value)).completion;
  const greeting = { type: "ref/prompt", name: "greeting" };
  const notes = { type: "ref/resource", uri: "notes://{topic}" };
  const big = { type: "ref/prompt", name: "big" };

  it.each<[string, unknown, string, string, string[]]>([
    ["a prompt argument by prefix", greeting, "style", "ca", ["casual"]],
    ["case-insensitively", greeting, "style", "f", ["Formal", "FRIENDLY"]],
    ["with a mixed-case prefix", greeting, "style", "fRi", ["FRIENDLY"]],
    ["with an upper-case prefix", notes, "topic", "CAN", ["Cancellation"]],
    [
      "everything for an empty prefix",
      notes,
      "topic",
      "",
      ["budgets", "Cancellation", "children", "masking"],
    ],
    ["a template variable", notes, "topic", "c", ["Cancellation", "children"]],
    ["nothing when no value matches", greeting, "style", "zzz", []],
    ["nothing for an unknown argument", greeting, "tone", "", []],
    ["nothing for an entry without completions", { type: "ref/prompt", name: "plain" }, "x", "", []],
    ["by prefix, not substring", notes, "topic", "ask", []],
  ])("offers %s", (_name, ref, argument, value, values) => {
    expect(complete(ref, argument, value)).toEqual({ values, total: values.length, hasMore: false });
  });

  it("returns at most 100 values with the total and hasMore", () => {
    expect(complete(big, "n", "")).toEqual({ values: hundredFifty.slice(0, 100), total: 150, hasMore: true });
    expect(complete(big, "n", "item-1")).toEqual({
      values: hundredFifty.slice(100),
      total: 50,
      hasMore: false,
    });
    expect(complete(big, "exact", "")).toEqual({
      values: hundredFifty.slice(0, 100),
      total: 100,
      hasMore: false,
    });
  });

  it.each<[string, unknown]>([
    ["an unknown prompt", { type: "ref/prompt", name: "nope" }],
    ["an unknown template", { type: "ref/resource", uri: "nope://{x}" }],
    ["a concrete URI instead of the template", { type: "ref/resource", uri: "notes://budgets" }],
    ["a prompt ref without a name", { type: "ref/prompt" }],
    ["a prompt ref with a number name", { type: "ref/prompt", name: 1 }],
    ["an unknown ref type", { type: "ref/tool", name: "greeting" }],
    ["null", null],
    ["a string", "greeting"],
  ])("throws InvalidParams for %s", (_name, ref) => {
    expect(() => cat.complete(ref, "style", "")).toThrow(InvalidParams);
  });
});
