// Schema battery: each tool of fixtures/projects/battery exercises one parameter (or return) shape; its
// schema must equal the expected draft 2020-12 one, and ajv must accept the valid samples, reject the rest.
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { Builder, type BuildResult } from "../../src/compiler/build.js";
import type { ToolModel } from "../../src/compiler/model.js";

const PROJECT = fileURLToPath(new URL("../../fixtures/projects/battery/", import.meta.url));

type Schema = Record<string, unknown>;

interface InputCase {
  /** The tool, named after the shape it exercises. */
  readonly name: string;
  readonly schema: Schema;
  readonly valid: readonly Record<string, unknown>[];
  readonly invalid: readonly Record<string, unknown>[];
}

interface OutputCase {
  readonly name: string;
  /** undefined: the result is text, so there is no output schema. */
  readonly schema: Schema | undefined;
  readonly valid: readonly unknown[];
  readonly invalid: readonly unknown[];
}

// ---- schema builders: keep the table readable ---------------------------------------------------

/** A closed object, as every object inside an input is. */
const closed = (properties: Schema, required: readonly string[] = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});
/** A tool's input object. */
const input = closed;
const str = { type: "string" };
const num = { type: "number" };
const bool = { type: "boolean" };
const int = { type: "integer" };
const arrayOf = (items: Schema): Schema => ({ type: "array", items });
const item = closed({ id: str, price: num });
const geo = {
  ...closed({ lat: { ...num, minimum: -90, maximum: 90 }, lon: { ...num, minimum: -180, maximum: 180 } }),
  description: "A point on the map.",
};
const settings = closed({ theme: { type: "string", enum: ["light", "dark"] }, fontSize: num });
const treeNode = closed({ label: str, children: arrayOf({ $ref: "#/$defs/TreeNode" }) });
/** Drops `additionalProperties: false` at every level: output schemas are open. */
const open = (schema: Schema): Schema =>
  JSON.parse(JSON.stringify(schema), (_key, value) =>
    value !== null && typeof value === "object" && value.additionalProperties === false
      ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== "additionalProperties"))
      : value,
  );

// ---- the table ----------------------------------------------------------------------------------

const inputCases: InputCase[] = [
  // primitives
  {
    name: "primitiveString",
    schema: input({ text: str }),
    valid: [{ text: "" }, { text: "héllo" }],
    invalid: [{}, { text: 1 }, { text: null }, { text: "a", extra: 1 }],
  },
  {
    name: "primitiveNumber",
    schema: input({ value: num }),
    valid: [{ value: 0 }, { value: -1.5 }],
    invalid: [{}, { value: "1" }, { value: true }],
  },
  {
    name: "primitiveBoolean",
    schema: input({ flag: bool }),
    valid: [{ flag: true }, { flag: false }],
    invalid: [{}, { flag: "true" }, { flag: 0 }],
  },
  {
    name: "integer",
    schema: input({ count: { ...int, description: "How many" } }),
    valid: [{ count: 0 }, { count: -3 }, { count: 2.0 }],
    invalid: [{ count: 1.5 }, { count: "2" }],
  },
  {
    name: "primitiveUnion",
    schema: input({ id: { type: ["string", "number"] } }),
    valid: [{ id: "a" }, { id: 7 }],
    invalid: [{ id: true }, { id: null }],
  },
  {
    name: "unknownValue",
    schema: input({ payload: {} }),
    valid: [{ payload: null }, { payload: [1, "x"] }, { payload: { any: "thing" } }],
    invalid: [{}, { payload: 1, extra: 2 }],
  },
  // literals and enums
  {
    name: "stringLiteralUnion",
    schema: input({ order: { type: "string", enum: ["asc", "desc"] } }),
    valid: [{ order: "asc" }, { order: "desc" }],
    invalid: [{ order: "ASC" }, { order: "" }],
  },
  {
    name: "numberLiteralUnion",
    schema: input({ stars: { type: "number", enum: [1, 2, 3] } }),
    valid: [{ stars: 1 }, { stars: 3 }],
    invalid: [{ stars: 4 }, { stars: "1" }],
  },
  {
    name: "singleLiteral",
    schema: input({ version: { type: "string", const: "v1" } }),
    valid: [{ version: "v1" }],
    invalid: [{ version: "v2" }],
  },
  {
    name: "stringEnum",
    schema: input({ color: { type: "string", enum: ["red", "green", "blue"] } }),
    valid: [{ color: "red" }, { color: "blue" }],
    invalid: [{ color: "Red" }, { color: 0 }],
  },
  {
    name: "numericEnum",
    schema: input({ level: { type: "number", enum: [0, 1, 2] } }),
    valid: [{ level: 0 }, { level: 2 }],
    invalid: [{ level: 3 }, { level: "Debug" }],
  },
  {
    name: "reexportedEnum",
    schema: input({ priority: { type: "string", enum: ["low", "high"] } }),
    valid: [{ priority: "low" }],
    invalid: [{ priority: "medium" }],
  },
  {
    name: "keyofType",
    schema: input({ field: { type: "string", enum: ["theme", "fontSize"] } }),
    valid: [{ field: "theme" }, { field: "fontSize" }],
    invalid: [{ field: "font" }],
  },
  // objects
  {
    name: "nestedInterface",
    schema: input({
      address: closed({ street: { ...str, description: "Street and number." }, city: str, zip: str, geo }, [
        "street",
        "city",
        "geo",
      ]),
    }),
    valid: [
      { address: { street: "1 Main St", city: "Oslo", geo: { lat: 59.9, lon: 10.7 } } },
      { address: { street: "2 Rue", city: "Paris", zip: "75001", geo: { lat: -90, lon: 180 } } },
    ],
    invalid: [
      { address: { street: "1 Main St", city: "Oslo" } },
      { address: { street: "1 Main St", city: "Oslo", geo: { lat: 91, lon: 0 } } },
      { address: { street: "1 Main St", city: "Oslo", geo: { lat: 0, lon: 0 }, country: "NO" } },
    ],
  },
  {
    name: "inlineObject",
    schema: input({ point: closed({ x: num, y: num }) }),
    valid: [{ point: { x: 1, y: 2 } }],
    invalid: [{ point: { x: 1 } }, { point: { x: 1, y: 2, z: 3 } }, { point: [1, 2] }],
  },
  {
    name: "destructured",
    schema: settings,
    valid: [{ theme: "dark", fontSize: 12 }],
    invalid: [
      { theme: "dark" },
      { theme: "blue", fontSize: 12 },
      { settings: { theme: "dark", fontSize: 12 } },
    ],
  },
  {
    name: "readonlyMapped",
    schema: input({ settings }),
    valid: [{ settings: { theme: "light", fontSize: 10 } }],
    invalid: [{ settings: { theme: "light" } }],
  },
  {
    name: "indexSignature",
    schema: input({
      headers: { type: "object", properties: { host: str }, required: ["host"], additionalProperties: str },
    }),
    valid: [{ headers: { host: "a" } }, { headers: { host: "a", accept: "*/*" } }],
    invalid: [{ headers: { accept: "*/*" } }, { headers: { host: "a", port: 80 } }],
  },
  {
    name: "recordOfNumbers",
    schema: input({ counts: { type: "object", additionalProperties: num } }),
    valid: [{ counts: {} }, { counts: { a: 1, b: 2 } }],
    invalid: [{ counts: { a: "1" } }, { counts: [1] }],
  },
  {
    name: "recordOfLiteralKeys",
    schema: input({ sizes: closed({ small: num, large: num }) }),
    valid: [{ sizes: { small: 1, large: 2 } }],
    invalid: [{ sizes: { small: 1 } }, { sizes: { small: 1, large: 2, medium: 3 } }],
  },
  {
    name: "discriminatedUnion",
    schema: input({
      shape: {
        anyOf: [
          closed({ kind: { type: "string", const: "circle" }, radius: num }),
          closed({ kind: { type: "string", const: "square" }, side: num }),
        ],
      },
    }),
    valid: [{ shape: { kind: "circle", radius: 1 } }, { shape: { kind: "square", side: 2 } }],
    invalid: [{ shape: { kind: "circle", side: 1 } }, { shape: { kind: "triangle" } }],
  },
  {
    name: "intersection",
    schema: input({ person: closed({ name: str, age: num }) }),
    valid: [{ person: { name: "Ada", age: 36 } }],
    invalid: [{ person: { name: "Ada" } }, { person: { name: "Ada", age: 36, extra: true } }],
  },
  // arrays and tuples
  {
    name: "arrayOfStrings",
    schema: input({ tags: arrayOf(str) }),
    valid: [{ tags: [] }, { tags: ["a", "b"] }],
    invalid: [{ tags: "a" }, { tags: [1] }],
  },
  {
    name: "arrayOfObjects",
    schema: input({ items: arrayOf(item) }),
    valid: [{ items: [] }, { items: [{ id: "a", price: 1 }] }],
    invalid: [{ items: [{ id: "a" }] }, { items: [{ id: "a", price: 1, qty: 2 }] }],
  },
  {
    name: "arrayOfLiterals",
    schema: input({ days: arrayOf({ type: "string", enum: ["mon", "tue", "wed"] }) }),
    valid: [{ days: ["mon", "wed"] }],
    invalid: [{ days: ["sun"] }],
  },
  {
    name: "nestedArrays",
    schema: input({ matrix: arrayOf(arrayOf(num)) }),
    valid: [{ matrix: [[1, 2], [3]] }, { matrix: [] }],
    invalid: [{ matrix: [1, 2] }, { matrix: [["1"]] }],
  },
  {
    name: "tuple",
    schema: input({
      pair: { type: "array", prefixItems: [num, str], items: false, minItems: 2, maxItems: 2 },
    }),
    valid: [{ pair: [1, "a"] }],
    invalid: [{ pair: [1] }, { pair: ["a", 1] }, { pair: [1, "a", "b"] }],
  },
  {
    name: "tupleOptional",
    schema: input({
      entry: { type: "array", prefixItems: [str, num], items: false, minItems: 1, maxItems: 2 },
    }),
    valid: [{ entry: ["a"] }, { entry: ["a", 1] }],
    invalid: [{ entry: [] }, { entry: ["a", "b"] }, { entry: ["a", 1, 2] }],
  },
  {
    name: "tupleRest",
    schema: input({ command: { type: "array", prefixItems: [str], items: num, minItems: 1 } }),
    valid: [{ command: ["go"] }, { command: ["go", 1, 2, 3] }],
    invalid: [{ command: [] }, { command: ["go", "x"] }, { command: [1] }],
  },
  // optional, default, nullable
  {
    name: "optional",
    schema: input({ query: str, note: str }, ["query"]),
    valid: [{ query: "a" }, { query: "a", note: "b" }],
    invalid: [{ note: "b" }, { query: "a", note: null }],
  },
  {
    name: "defaults",
    schema: input(
      {
        limit: { ...num, default: 10 },
        offset: { ...num, default: -1 },
        mode: { ...str, default: "fast" },
        verbose: { ...bool, default: false },
        ratio: { ...num, default: 0.5 },
        tags: { ...arrayOf(str), default: ["a", "b"] },
      },
      [],
    ),
    valid: [{}, { limit: 5, offset: 0, mode: "slow", verbose: true, ratio: 1, tags: [] }],
    invalid: [{ limit: "5" }, { verbose: "yes" }, { tags: "a" }],
  },
  {
    name: "nullableString",
    schema: input({ nickname: { type: ["string", "null"] } }),
    valid: [{ nickname: "x" }, { nickname: null }],
    invalid: [{}, { nickname: 1 }],
  },
  {
    name: "nullableObject",
    schema: input({ item: { anyOf: [item, { type: "null" }] } }, []),
    valid: [{}, { item: null }, { item: { id: "a", price: 1 } }],
    invalid: [{ item: { id: "a" } }, { item: "a" }],
  },
  // recursive and generic
  {
    name: "recursiveInterface",
    schema: { ...input({ tree: { $ref: "#/$defs/TreeNode" } }), $defs: { TreeNode: treeNode } },
    valid: [{ tree: { label: "root", children: [{ label: "leaf", children: [] }] } }],
    invalid: [
      { tree: { label: "root", children: [{ label: "leaf" }] } },
      { tree: { label: "root", children: [{ label: "leaf", children: [], extra: 1 }] } },
    ],
  },
  {
    name: "recursiveAlias",
    schema: {
      ...input({ value: { $ref: "#/$defs/JsonValue" } }),
      $defs: {
        JsonValue: {
          anyOf: [
            str,
            num,
            bool,
            { type: "null" },
            arrayOf({ $ref: "#/$defs/JsonValue" }),
            { type: "object", additionalProperties: { $ref: "#/$defs/JsonValue" } },
          ],
        },
      },
    },
    valid: [{ value: null }, { value: { a: [1, "b", { c: true }] } }],
    invalid: [{}],
  },
  {
    name: "recursiveGeneric",
    schema: {
      ...input({ list: { $ref: "#/$defs/LinkedList_number_" } }),
      $defs: {
        LinkedList_number_: {
          ...closed({
            value: num,
            next: { anyOf: [{ $ref: "#/$defs/LinkedList_number_" }, { type: "null" }] },
          }),
          description: "A singly linked list, recursive through its type argument.",
        },
      },
    },
    valid: [{ list: { value: 1, next: { value: 2, next: null } } }],
    invalid: [{ list: { value: 1, next: { value: "2", next: null } } }, { list: { value: 1 } }],
  },
  {
    name: "destructuredRecursive",
    schema: { ...treeNode, $defs: { TreeNode: treeNode } },
    valid: [{ label: "root", children: [{ label: "leaf", children: [] }] }],
    invalid: [{ label: "root" }, { label: "root", children: [{ label: 1, children: [] }] }],
  },
  {
    name: "instantiatedGeneric",
    schema: input({ page: closed({ items: arrayOf(item), total: { ...int, minimum: 0 } }) }),
    valid: [{ page: { items: [{ id: "a", price: 1 }], total: 1 } }],
    invalid: [
      { page: { items: [], total: -1 } },
      { page: { items: [], total: 0.5 } },
      { page: { items: [1], total: 1 } },
    ],
  },
  {
    name: "partial",
    schema: input({ patch: closed({ id: str, price: num }, []) }),
    valid: [{ patch: {} }, { patch: { price: 2 } }],
    invalid: [{ patch: { price: "2" } }, { patch: { qty: 1 } }],
  },
  {
    name: "pick",
    schema: input({ where: closed({ city: str, zip: str }, ["city"]) }),
    valid: [{ where: { city: "Oslo" } }, { where: { city: "Oslo", zip: "0150" } }],
    invalid: [{ where: { zip: "0150" } }, { where: { city: "Oslo", street: "x" } }],
  },
  {
    name: "omit",
    schema: input({ where: closed({ street: { ...str, description: "Street and number." }, city: str }) }),
    valid: [{ where: { street: "x", city: "Oslo" } }],
    invalid: [{ where: { street: "x" } }, { where: { street: "x", city: "Oslo", zip: "1" } }],
  },
  // template literals
  {
    name: "templateLiteral",
    schema: input({ user: { type: "string", pattern: "^user-.*$" } }),
    valid: [{ user: "user-42" }, { user: "user-" }],
    invalid: [{ user: "admin" }, { user: "xuser-1" }],
  },
  {
    name: "templateLiteralUnion",
    schema: input({ verb: { type: "string", enum: ["get_name", "get_age", "set_name", "set_age"] } }),
    valid: [{ verb: "get_name" }, { verb: "set_age" }],
    invalid: [{ verb: "get_id" }],
  },
  // constraint tags
  {
    name: "constraintTags",
    schema: input(
      {
        handle: {
          ...str,
          description: "Login name",
          minLength: 3,
          maxLength: 20,
          pattern: "^[a-z][a-z0-9_]*$",
        },
        email: { ...str, description: "Contact address", format: "email" },
        age: { ...int, description: "Age in years", minimum: 0, exclusiveMaximum: 150 },
        score: { ...num, description: "A half-point score", multipleOf: 0.5, exclusiveMinimum: 0 },
        tags: { ...arrayOf(str), description: "Labels", minItems: 1, maxItems: 5, uniqueItems: true },
        since: { ...str, description: "Lower bound", format: "date-time" },
        legacy: { ...bool, description: "Old flag", deprecated: true },
        locale: { ...str, description: "Language", default: "en", examples: ["en", "fr"] },
      },
      ["handle", "email", "age", "score", "tags"],
    ),
    valid: [
      { handle: "ada", email: "ada@example.com", age: 0, score: 0.5, tags: ["x"] },
      {
        handle: "ada_99",
        email: "a@b.co",
        age: 149,
        score: 10,
        tags: ["a", "b", "c", "d", "e"],
        since: "2024-01-02T03:04:05Z",
        legacy: true,
        locale: "fr",
      },
    ],
    invalid: [
      { handle: "ad", email: "ada@example.com", age: 1, score: 1, tags: ["x"] },
      { handle: "Ada", email: "ada@example.com", age: 1, score: 1, tags: ["x"] },
      { handle: "ada", email: "not-an-email", age: 1, score: 1, tags: ["x"] },
      { handle: "ada", email: "ada@example.com", age: 150, score: 1, tags: ["x"] },
      { handle: "ada", email: "ada@example.com", age: 1.5, score: 1, tags: ["x"] },
      { handle: "ada", email: "ada@example.com", age: 1, score: 0, tags: ["x"] },
      { handle: "ada", email: "ada@example.com", age: 1, score: 0.25, tags: ["x"] },
      { handle: "ada", email: "ada@example.com", age: 1, score: 1, tags: [] },
      { handle: "ada", email: "ada@example.com", age: 1, score: 1, tags: ["x", "x"] },
      { handle: "ada", email: "ada@example.com", age: 1, score: 1, tags: ["x"], since: "yesterday" },
    ],
  },
  {
    name: "memberConstraints",
    schema: input({
      profile: closed(
        {
          handle: { ...str, minLength: 3, maxLength: 20, pattern: "^[a-z][a-z0-9_]*$" },
          email: { ...str, format: "email" },
          age: { ...int, minimum: 0, exclusiveMaximum: 150 },
          tags: { ...arrayOf(str), minItems: 1, maxItems: 5, uniqueItems: true },
          score: { ...num, multipleOf: 0.5, exclusiveMinimum: 0 },
          legacy: { ...str, deprecated: true },
          locale: { ...str, default: "en", examples: ["en", "fr"] },
        },
        ["handle", "email", "age", "tags", "score"],
      ),
    }),
    valid: [{ profile: { handle: "ada", email: "ada@example.com", age: 36, tags: ["x"], score: 1.5 } }],
    invalid: [
      { profile: { handle: "a", email: "ada@example.com", age: 36, tags: ["x"], score: 1.5 } },
      { profile: { handle: "ada", email: "nope", age: 36, tags: ["x"], score: 1.5 } },
      { profile: { handle: "ada", email: "ada@example.com", age: 36.5, tags: ["x"], score: 1.5 } },
      { profile: { handle: "ada", email: "ada@example.com", age: 36, tags: ["x", "x"], score: 1.5 } },
      { profile: { handle: "ada", email: "ada@example.com", age: 36, tags: ["x"], score: 1.2 } },
    ],
  },
  {
    name: "boundedDefault",
    schema: input(
      { query: str, limit: { ...int, description: "Max results", minimum: 1, maximum: 100, default: 10 } },
      ["query"],
    ),
    valid: [{ query: "q" }, { query: "q", limit: 1 }, { query: "q", limit: 100 }],
    invalid: [{ limit: 5 }, { query: "q", limit: 0 }, { query: "q", limit: 101 }, { query: "q", limit: 5.5 }],
  },
  {
    name: "nullableInteger",
    schema: input({
      page: { type: ["integer", "null"], description: "Page number, null for all", minimum: 1 },
    }),
    valid: [{ page: 1 }, { page: null }],
    invalid: [{ page: 0 }, { page: 1.5 }, {}],
  },
  {
    name: "destructuredTags",
    schema: input(
      {
        query: { ...str, description: "Free text", minLength: 1 },
        limit: { ...int, description: "Max results", maximum: 50 },
      },
      ["query"],
    ),
    valid: [{ query: "q" }, { query: "q", limit: 50 }],
    invalid: [{ query: "" }, { query: "q", limit: 51 }, { query: "q", limit: 2.5 }],
  },
  // entries that are here for their return type take plain inputs
  {
    name: "returnsVoid",
    schema: { type: "object", properties: {}, additionalProperties: false },
    valid: [{}],
    invalid: [{ anything: 1 }],
  },
  { name: "returnsObject", schema: input({ id: str }), valid: [{ id: "a" }], invalid: [{}] },
  { name: "returnsArray", schema: input({ count: num }), valid: [{ count: 2 }], invalid: [{ count: "2" }] },
  { name: "returnsNullable", schema: input({ id: str }), valid: [{ id: "a" }], invalid: [{ id: 1 }] },
  { name: "returnsRecursive", schema: input({ label: str }), valid: [{ label: "a" }], invalid: [{}] },
];

const outputCases: OutputCase[] = [
  {
    name: "returnsObject",
    schema: open(item),
    valid: [
      { id: "a", price: 1 },
      { id: "a", price: 1, added: "by the handler" },
    ],
    invalid: [{ id: "a" }, [{ id: "a", price: 1 }]],
  },
  {
    name: "boundedDefault",
    schema: { type: "object", properties: { hits: arrayOf(str) }, required: ["hits"] },
    valid: [{ hits: [] }],
    invalid: [{ hits: [1] }],
  },
  {
    name: "returnsArray",
    schema: { type: "object", properties: { result: arrayOf(open(item)) }, required: ["result"] },
    valid: [{ result: [] }, { result: [{ id: "a", price: 1 }] }],
    invalid: [[], { result: [{ id: "a" }] }],
  },
  {
    name: "returnsNullable",
    schema: {
      type: "object",
      properties: { result: { anyOf: [open(item), { type: "null" }] } },
      required: ["result"],
    },
    valid: [{ result: null }, { result: { id: "a", price: 1 } }],
    invalid: [null, {}],
  },
  {
    name: "returnsRecursive",
    schema: { ...open(treeNode), $defs: { TreeNode: open(treeNode) } },
    valid: [{ label: "a", children: [{ label: "b", children: [] }] }],
    invalid: [{ label: "a", children: [{ label: "b" }] }],
  },
  { name: "primitiveString", schema: undefined, valid: [], invalid: [] },
  { name: "primitiveNumber", schema: undefined, valid: [], invalid: [] },
  { name: "primitiveBoolean", schema: undefined, valid: [], invalid: [] },
  { name: "returnsVoid", schema: undefined, valid: [], invalid: [] },
];

// ---- checks -------------------------------------------------------------------------------------

const ajv = new Ajv2020({ allErrors: true, strict: false });
formats.default(ajv);

/** Every $ref, every schema-position key, and the key order of every `properties`, in walk order. */
function survey(schema: unknown) {
  const refs: string[] = [];
  const keys = new Set<string>();
  const order: string[][] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [key, v] of Object.entries(value)) {
      keys.add(key);
      if (key === "$ref" && typeof v === "string") refs.push(v);
      else if (key === "properties" || key === "$defs") {
        if (key === "properties") order.push(Object.keys(v as object));
        for (const sub of Object.values(v as object)) walk(sub);
      } else if (!["enum", "const", "default", "examples"].includes(key)) walk(v);
    }
  };
  walk(schema);
  return { refs, keys, order };
}

function expectSelfContained(schema: Schema): void {
  const { refs, keys } = survey(schema);
  expect(keys.has("$schema"), "no $schema key").toBe(false);
  expect(keys.has("definitions"), "no draft-07 definitions").toBe(false);
  const defs = (schema.$defs ?? {}) as Schema;
  for (const ref of refs) {
    expect(ref, "refs point into $defs").toMatch(/^#\/\$defs\/[A-Za-z0-9_]+$/);
    expect(Object.keys(defs), `${ref} resolves`).toContain(ref.slice("#/$defs/".length));
  }
}

function expectSamples(schema: Schema, valid: readonly unknown[], invalid: readonly unknown[]): void {
  const validate = ajv.compile(schema);
  for (const sample of valid) {
    expect(validate(sample), `accepts ${JSON.stringify(sample)}: ${ajv.errorsText(validate.errors)}`).toBe(
      true,
    );
  }
  for (const sample of invalid) {
    expect(validate(sample), `rejects ${JSON.stringify(sample)}`).toBe(false);
  }
}

describe("schema battery", () => {
  let result: BuildResult;
  const tool = (name: string): ToolModel => {
    const entry = result.entries.find((e) => e.kind === "tool" && e.name === name);
    if (entry === undefined) throw new Error(`no tool ${name} in the battery`);
    return entry as ToolModel;
  };

  beforeAll(async () => {
    result = await new Builder(PROJECT).build({ check: true });
  });

  it("builds without diagnostics", () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("covers every tool of the battery, and enough shapes", () => {
    const tools = result.entries.filter((e) => e.kind === "tool").map((e) => e.name);
    expect([...tools].sort()).toEqual(inputCases.map((c) => c.name).sort());
    const shapes = inputCases.filter((c) => !c.name.startsWith("returns"));
    expect(shapes.length).toBeGreaterThanOrEqual(30);
  });

  describe("input schemas", () => {
    it.each(inputCases)("$name", ({ name, schema, valid, invalid }) => {
      const actual = tool(name).inputSchema as Schema;
      // Soft: a wrong schema still shows which samples it gets wrong.
      expect.soft(actual).toEqual(schema);
      // toEqual ignores key order; properties are listed in declaration order.
      expect.soft(survey(actual).order).toEqual(survey(schema).order);
      expectSelfContained(actual);
      expectSamples(schema, valid, invalid); // the table itself is right
      expectSamples(actual, valid, invalid);
    });
  });

  describe("output schemas", () => {
    it.each(outputCases)("$name", ({ name, schema, valid, invalid }) => {
      const actual = tool(name).outputSchema as Schema | undefined;
      expect.soft(actual).toEqual(schema);
      if (schema !== undefined) expectSamples(schema, valid, invalid);
      if (actual === undefined) return;
      expect(actual.type).toBe("object");
      expectSelfContained(actual);
      expectSamples(actual, valid, invalid);
    });
  });
});
