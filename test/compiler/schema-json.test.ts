// The pure schema transforms: keyword-aware walking (property names are not keywords, enum/const/default/examples values are data), the inlining budget (linear size, resolvable $refs, determinism).
import { describe, expect, it } from "vitest";
import {
  allowExtraProperties,
  generatorFailures,
  INLINE_BUDGET,
  inlineDefinitions,
  type Json,
  type SchemaObject,
  stringEnum,
  toDraft2020,
} from "../../src/compiler/schema-json.js";

/** Through JSON, so that a key such as `__proto__` becomes an own property, as in parsed JSON. */
const json = (value: unknown): SchemaObject => JSON.parse(JSON.stringify(value));
/** What the compiler does to the generator's output. */
const convert = (raw: unknown): SchemaObject => inlineDefinitions(toDraft2020(json(raw)));

const money = {
  type: "object",
  properties: { amount: { type: "number" }, currency: { type: "string" } },
  required: ["amount", "currency"],
  additionalProperties: false,
};
const closed = (properties: Record<string, unknown>) => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Every `$ref` in schema positions, collected without knowing keywords (use on data-free schemas). */
function refsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.push(v);
      else refsOf(v, found);
    }
  }
  return found;
}

/** Asserts that every $ref points into the schema's own $defs under a readable name. */
function expectResolvable(schema: SchemaObject): void {
  const defs = (schema.$defs ?? {}) as Record<string, unknown>;
  for (const ref of refsOf(schema)) {
    expect(ref).toMatch(/^#\/\$defs\/[A-Za-z0-9_]+$/);
    expect(Object.hasOwn(defs, ref.slice(8)), ref).toBe(true);
  }
}

describe("property names that are keywords", () => {
  it.each([
    "default",
    "examples",
    "enum",
    "const",
    "integer",
    "$ref",
    "properties",
    "items",
    "anyOf",
    "definitions",
    "additionalProperties",
    "__proto__",
  ])("a property named %s of a named type is inlined and kept", (name) => {
    const out = convert({
      $schema: "http://json-schema.org/draft-07/schema#",
      ...closed({ w: { $ref: "#/definitions/Weird" } }),
      definitions: {
        Weird: closed({ [name]: { $ref: "#/definitions/Money" }, count: { type: "number" } }),
        Money: money,
      },
    });
    expect(out).toEqual(json(closed({ w: closed({ [name]: money, count: { type: "number" } }) })));
    expect(refsOf(out)).toEqual([]);
  });

  it("keeps a number property named integer (the @integer keyword applies to schemas only)", () => {
    const out = convert({ ...closed({ integer: { type: "number" }, n: { type: "number", integer: true } }) });
    expect(out).toEqual(closed({ integer: { type: "number" }, n: { type: "integer" } }));
  });

  it("keeps a property named additionalProperties in an output schema", () => {
    const schema = json(closed({ additionalProperties: false, x: { type: "string" } }));
    expect(allowExtraProperties(schema)).toEqual({
      type: "object",
      properties: { additionalProperties: false, x: { type: "string" } },
      required: ["additionalProperties", "x"],
    });
  });

  it("inlines the values of every map keyword", () => {
    const out = convert({
      type: "object",
      properties: { p: { $ref: "#/definitions/Money" } },
      patternProperties: { "^x-": { $ref: "#/definitions/Money" } },
      dependentSchemas: { p: { $ref: "#/definitions/Money" } },
      dependencies: { q: ["p"], r: { $ref: "#/definitions/Money" } },
      definitions: { Money: money },
    });
    expect(out).toEqual({
      type: "object",
      properties: { p: money },
      patternProperties: { "^x-": money },
      dependentSchemas: { p: money },
      dependencies: { q: ["p"], r: money },
    });
  });
});

describe("keyword-aware walking", () => {
  const ref = { $ref: "#/definitions/Money" };
  it.each<[string, Json, Json]>([
    ["items", ref, money],
    ["additionalProperties", ref, money],
    ["additionalItems", ref, money],
    ["contains", ref, money],
    ["propertyNames", ref, money],
    ["not", ref, money],
    ["if", ref, money],
    ["then", ref, money],
    ["else", ref, money],
    ["unevaluatedProperties", ref, money],
    ["anyOf", [ref, { type: "null" }], [money, { type: "null" }]],
    ["oneOf", [ref], [money]],
    ["allOf", [ref], [money]],
  ])("resolves a $ref under %s", (keyword, value, expected) => {
    const out = convert({ [keyword]: value, definitions: { Money: money } });
    expect(out).toEqual({ [keyword]: expected });
  });

  it("turns tuple items into prefixItems, with their $refs resolved", () => {
    const out = convert({
      type: "array",
      items: [ref, { type: "string" }],
      minItems: 2,
      maxItems: 2,
      definitions: { Money: money },
    });
    expect(out).toEqual({
      type: "array",
      prefixItems: [money, { type: "string" }],
      minItems: 2,
      maxItems: 2,
      items: false,
    });
  });

  it.each<[string, Json]>([
    ["default", { $ref: "#/definitions/Money", integer: true, items: [1, 2] }],
    ["const", { items: [{ $ref: "#/definitions/Money" }], additionalProperties: false }],
    ["enum", [{ $ref: "#/definitions/Money" }, { integer: true }, null]],
    ["examples", [{ properties: { a: { $ref: "#/definitions/Money" } } }]],
  ])("leaves the value of %s alone: it is data", (keyword, data) => {
    const schema = { type: "object", [keyword]: data, properties: { m: ref }, definitions: { Money: money } };
    const out = allowExtraProperties(convert(schema));
    expect(out[keyword]).toEqual(data);
    expect((out.properties as SchemaObject).m).toEqual(allowExtraProperties(json(money)));
    expect(out.$defs).toBeUndefined();
  });

  it("reports generator failures in schemas, not in data", () => {
    const failed = { description: "Failed to correctly infer type" };
    expect(generatorFailures(json({ properties: { x: failed } }))).toHaveLength(1);
    expect(generatorFailures(json({ definitions: { X: failed } }))).toHaveLength(1);
    expect(generatorFailures(json({ properties: { x: { default: failed, examples: [failed] } } }))).toEqual(
      [],
    );
  });

  it("reads string enums, following a $ref into $defs", () => {
    const defs = { Mode: { type: "string", enum: ["a", "b"] } };
    expect(stringEnum({ anyOf: [{ const: "x" }, { enum: ["y", "z"] }] })).toEqual(["x", "y", "z"]);
    expect(stringEnum({ $ref: "#/$defs/Mode" }, defs)).toEqual(["a", "b"]);
    expect(stringEnum({ $ref: "#/$defs/Mode" })).toBeUndefined();
    expect(stringEnum({ $ref: "#/$defs/Loop" }, { Loop: { $ref: "#/$defs/Loop" } })).toBeUndefined();
  });
});

describe("the inlining budget", () => {
  /** T0 → T1 → … → T<depth>, each with two fields of the next type: 2^depth leaves when inlined. */
  const sharedChain = (depth: number, order: "forward" | "reverse" = "forward"): SchemaObject => {
    const names = Array.from({ length: depth + 1 }, (_, i) => i);
    if (order === "reverse") names.reverse();
    const definitions = Object.fromEntries(
      names.map((i) => [
        `T${i}`,
        i === depth
          ? closed({ x: { type: "string" } })
          : closed({ a: { $ref: `#/definitions/T${i + 1}` }, b: { $ref: `#/definitions/T${i + 1}` } }),
      ]),
    );
    return json({ ...closed({ t: { $ref: "#/definitions/T0" } }), definitions });
  };
  const size = (schema: SchemaObject) => JSON.stringify(schema).length;

  it("keeps the output linear in the depth of a shared chain", () => {
    const sizes = [8, 16, 32, 64].map((depth) => {
      const out = convert(sharedChain(depth));
      expectResolvable(out);
      expect(Object.keys(out.$defs as SchemaObject).length).toBeGreaterThan(0);
      // Every kept definition is over the budget when inlined; every body is bounded.
      for (const body of Object.values(out.$defs as SchemaObject))
        expect(size(body as SchemaObject)).toBeLessThanOrEqual(2 * INLINE_BUDGET);
      return size(out);
    });
    for (const [i, s] of sizes.entries()) expect(s, `depth ${8 * 2 ** i}`).toBeLessThan(8 * 2 ** i * 1024);
    expect((sizes[3] as number) / (sizes[2] as number)).toBeLessThan(2.5);
  });

  it("builds a depth-64 chain quickly", () => {
    const started = performance.now();
    convert(sharedChain(64));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("is deterministic, whatever order the definitions come in", () => {
    const first = JSON.stringify(convert(sharedChain(20)));
    expect(JSON.stringify(convert(sharedChain(20)))).toBe(first);
    expect(JSON.stringify(convert(sharedChain(20, "reverse")))).toBe(first);
  });

  it("inlines small shared types and types used once, however deep", () => {
    const depth = 100;
    const definitions: Record<string, unknown> = { Money: money };
    for (let i = 0; i < depth; i++)
      definitions[`L${i}`] = closed({
        price: { $ref: "#/definitions/Money" },
        next: i === depth - 1 ? { type: "null" } : { $ref: `#/definitions/L${i + 1}` },
      });
    const out = convert({ ...closed({ l: { $ref: "#/definitions/L0" } }), definitions });
    expect(out.$defs).toBeUndefined();
    expect(refsOf(out)).toEqual([]);
    expect(JSON.stringify(out).split('"amount":').length - 1).toBe(depth);
  });

  it("keeps a large type used twice in $defs under a readable, collision-free name", () => {
    const big = closed(
      Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`field${i}`, { type: "string", description: "x".repeat(40) }]),
      ),
    );
    const out = convert({
      ...closed({
        a: { $ref: "#/definitions/Partial<Big>" },
        b: { $ref: "#/definitions/Partial<Big>", description: "The second" },
        c: { $ref: "#/definitions/Partial_Big_" },
        d: { $ref: "#/definitions/Partial_Big_" },
        e: { $ref: "#/definitions/Money" },
        f: { $ref: "#/definitions/Money" },
      }),
      definitions: { "Partial<Big>": big, Partial_Big_: big, Money: money, Unused: money },
    });
    expectResolvable(out);
    expect(Object.keys(out.$defs as SchemaObject)).toEqual(["Partial_Big_", "Partial_Big__"]);
    expect(out.properties).toEqual({
      a: { $ref: "#/$defs/Partial_Big_" },
      b: { description: "The second", $ref: "#/$defs/Partial_Big_" },
      c: { $ref: "#/$defs/Partial_Big__" },
      d: { $ref: "#/$defs/Partial_Big__" },
      e: money,
      f: money,
    });
  });

  it("keeps recursive types and shows the body of a root that points at one", () => {
    const tree = (ref: string) =>
      closed({ label: { type: "string" }, children: { type: "array", items: { $ref: ref } } });
    const out = convert({ $ref: "#/definitions/Tree", definitions: { Tree: tree("#/definitions/Tree") } });
    expect(out).toEqual({ ...tree("#/$defs/Tree"), $defs: { Tree: tree("#/$defs/Tree") } });
    expectResolvable(out);
  });

  it("gives every use of an inlined type its own objects", () => {
    const out = convert({
      ...closed({ a: { $ref: "#/definitions/Money" }, b: { $ref: "#/definitions/Money" } }),
      definitions: { Money: money },
    });
    const properties = out.properties as Record<string, SchemaObject>;
    (properties.a?.properties as Record<string, SchemaObject>).amount = { type: "integer" };
    expect(properties.b).toEqual(money);
  });
});
