// Validators keep at most 100 problems (issue 6: a few MB of invalid arguments made hundreds of MB
// of ajv error objects). The transform must not change what is valid: checked against ajv's own
// uncapped code on generated data for schemas with every keyword that counts or resets problems.
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EntryModel } from "../../src/compiler/model.js";
import { capErrors, compileValidators, createAjv } from "../../src/compiler/validators.js";

const require = createRequire(import.meta.url);
const standalone = require("ajv/dist/standalone/index.js").default;

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** ajv's standalone code, as the validator stage compiles it but before capErrors. */
function ajvCode(schema: object): string {
  const ajv = createAjv();
  ajv.addSchema(schema, "s");
  ajv.getSchema("s");
  return standalone(ajv, { v: "s" });
}

function load(code: string): Validate {
  const exports: { v?: Validate } = {};
  new Function("exports", "require", code)(exports, require);
  return exports.v as Validate;
}

const tree = { $ref: "#/$defs/Node" };
const $defs = {
  Node: {
    type: "object",
    properties: { label: { type: "string" }, children: { type: "array", items: tree } },
    required: ["label"],
    additionalProperties: false,
  },
};

const SCHEMAS: Record<string, object> = {
  "an object with required and extra keys": {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "string", minLength: 2 } },
    required: ["a", "b"],
    additionalProperties: false,
  },
  "an array of objects": {
    type: "array",
    items: {
      type: "object",
      properties: { sku: { type: "string", pattern: "^[A-Z]+$" } },
      required: ["sku"],
    },
    maxItems: 150,
  },
  "anyOf of two array types (a failing branch with many problems)": {
    anyOf: [
      { type: "array", items: { type: "string" } },
      { type: "array", items: { type: "number" } },
    ],
  },
  "oneOf with overlapping branches": {
    oneOf: [
      { type: "array", items: { type: "integer" } },
      { type: "array", items: { type: "number", minimum: 0 } },
      { type: "object", additionalProperties: { type: "boolean" } },
    ],
  },
  "not and if/then/else": {
    type: "array",
    items: {
      not: { type: "string" },
      if: { type: "number" },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword.
      then: { minimum: 10 },
      else: { type: ["array", "object", "null", "boolean"] },
    },
  },
  "a recursive $ref": { $defs, type: "object", properties: { tree }, required: ["tree"] },
  "an array of recursive $refs": { $defs, type: "array", items: tree },
  "patternProperties, propertyNames, dependentRequired": {
    type: "object",
    patternProperties: { "^n": { type: "number" }, "^s": { type: "string" } },
    propertyNames: { maxLength: 3 },
    dependentRequired: { a: ["b"] },
  },
  "unevaluatedProperties with allOf": {
    allOf: [{ type: "object", properties: { a: { type: "number" } } }],
    properties: { b: { type: "number" } },
    unevaluatedProperties: false,
  },
  "prefixItems, contains, uniqueItems": {
    type: "array",
    prefixItems: [{ type: "number" }, { type: "string" }],
    items: { type: ["number", "string"] },
    contains: { type: "string", format: "email" },
    minContains: 2,
    uniqueItems: true,
  },
  "anyOf of refs in an array": {
    $defs,
    type: "array",
    items: { anyOf: [tree, { type: "string", format: "date-time" }, { type: "array", items: tree }] },
  },
};

/** JSON with some big arrays and objects, so that many inputs have over 100 problems. */
const data = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 80, maxLength: 400 }),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant({ label: 1 })), { minLength: 80, maxLength: 400 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 50, maxKeys: 200 }),
  fc.record({ tree: fc.jsonValue({ maxDepth: 5 }) }),
  // Trees with many bad children, one problem each.
  fc.record({
    tree: fc.record({
      label: fc.string(),
      children: fc.array(fc.oneof(fc.constant({}), fc.record({ label: fc.integer() })), {
        minLength: 60,
        maxLength: 200,
      }),
    }),
  }),
);

describe("capErrors", () => {
  it.each(Object.entries(SCHEMAS))("caps %s without changing what is valid", (_name, schema) => {
    const code = ajvCode(schema);
    const capped = capErrors(code);
    expect(capped, "every way the code adds or cuts problems is recognised").not.toBe(code);
    const full = load(code);
    const cut = load(capped);
    let over = 0;
    fc.assert(
      fc.property(data, (value) => {
        const valid = full(value);
        expect(cut(value)).toBe(valid);
        const all = full.errors ?? [];
        if (all.length > 100) over++;
        expect(cut.errors ?? []).toEqual(valid ? [] : all.slice(0, 100));
      }),
      { seed: 6, numRuns: 300 },
    );
    // The data reached the cap for the schemas that can have that many problems.
    if (!/dependentRequired|prefixItems/.test(_name)) expect(over).toBeGreaterThan(0);
  });

  it("leaves code it does not fully understand as it is", () => {
    const odd = "if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}vErrors[0].x = 1;";
    expect(capErrors(odd)).toBe(odd);
  });

  it("is applied to every validator a build writes", () => {
    const entries = Object.values(SCHEMAS).map(
      (inputSchema, i) =>
        ({
          kind: "tool",
          name: `t${i}`,
          inputSchema,
          location: { file: "x.ts", line: 1, column: 1 },
        }) as unknown,
    ) as EntryModel[];
    const { value, diagnostics } = compileValidators(entries);
    expect(diagnostics).toEqual([]);
    expect(value.code).not.toContain("else {vErrors.push(");
    expect(value.code).not.toMatch(/errors = vErrors\.length/);
    const exports: Record<string, Validate> = {};
    new Function("exports", "require", value.code)(exports, require);
    const validate = exports.v1 as Validate;
    const items = Array.from({ length: 100_000 }, () => ({}));
    expect(validate(items)).toBe(false);
    expect(validate.errors).toHaveLength(100);
  });
});
