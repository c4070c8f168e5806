// Pure transforms on the JSON Schemas the generator produces: draft-07 to 2020-12, inlining every
// definition that is not recursive (clients handle $ref poorly), readable names for the rest,
// and the @integer tag. Self-contained output: no $ref points outside the schema.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SchemaObject = { [key: string]: Json };

function isObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Maps over every subschema position, bottom-up. */
function transform(value: Json, fn: (schema: SchemaObject) => Json): Json {
  if (Array.isArray(value)) return value.map((v) => transform(v, fn));
  if (!isObject(value)) return value;
  const out: SchemaObject = {};
  for (const [key, v] of Object.entries(value)) {
    // Values of these keywords are data, not schemas.
    out[key] =
      key === "enum" || key === "const" || key === "default" || key === "examples" ? v : transform(v, fn);
  }
  return fn(out);
}

/**
 * The generator's draft-07 output in 2020-12 terms: `definitions` → `$defs`, tuple `items: [...]`
 * → `prefixItems`, no `$schema` (MCP reads a schema without one as 2020-12), `integer: true` →
 * `type: integer`.
 */
export function toDraft2020(schema: SchemaObject): SchemaObject {
  const { $schema: _ignored, definitions, ...rest } = schema;
  const converted = transform(
    { ...rest, ...(definitions === undefined ? {} : { $defs: definitions }) },
    (s) => {
      const out: SchemaObject = { ...s };
      if (typeof out.$ref === "string") out.$ref = out.$ref.replace("#/definitions/", "#/$defs/");
      if (Array.isArray(out.items)) {
        out.prefixItems = out.items;
        delete out.items;
        if (out.additionalItems === undefined) {
          if (out.maxItems === out.minItems || out.maxItems !== undefined) out.items = false;
        } else {
          out.items = out.additionalItems;
          delete out.additionalItems;
        }
      }
      if (out.integer === true) {
        delete out.integer;
        if (out.type === "number") out.type = "integer";
        else if (Array.isArray(out.type)) out.type = out.type.map((t) => (t === "number" ? "integer" : t));
      } else if (out.integer !== undefined) delete out.integer;
      return out;
    },
  );
  return converted as SchemaObject;
}

/** Names of definitions that can reach themselves through $refs. */
function recursiveDefinitions(defs: Record<string, Json>): Set<string> {
  const refsOf = (value: Json, acc: Set<string>): Set<string> => {
    if (Array.isArray(value)) for (const v of value) refsOf(v, acc);
    else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/"))
          acc.add(decodeURIComponent(v.slice(8)));
        else refsOf(v, acc);
      }
    }
    return acc;
  };
  const edges = new Map(Object.entries(defs).map(([name, def]) => [name, refsOf(def, new Set())]));
  const recursive = new Set<string>();
  for (const start of edges.keys()) {
    const stack = [...(edges.get(start) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === start) {
        recursive.add(start);
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(edges.get(next) ?? []));
    }
  }
  return recursive;
}

/**
 * Replaces each $ref to a non-recursive definition with the definition itself; keeps the
 * recursive ones under names made of [A-Za-z0-9_] (`Tree`, `Partial_Node_`).
 */
export function inlineDefinitions(schema: SchemaObject): SchemaObject {
  const { $defs, ...root } = schema;
  if (!isObject($defs)) return schema;
  const recursive = recursiveDefinitions($defs);
  const rename = new Map<string, string>();
  for (const name of [...recursive].sort()) {
    let safe = name.replace(/[^A-Za-z0-9_]/g, "_");
    while ([...rename.values()].includes(safe)) safe += "_";
    rename.set(name, safe);
  }
  const resolve = (value: Json, depth: number): Json =>
    transform(value, (s) => {
      if (typeof s.$ref !== "string" || !s.$ref.startsWith("#/$defs/")) return s;
      const name = decodeURIComponent(s.$ref.slice(8));
      const { $ref: _ref, ...siblings } = s;
      if (rename.has(name)) return { ...siblings, $ref: `#/$defs/${rename.get(name)}` };
      const target = $defs[name];
      if (target === undefined || depth > 64) return s;
      const inlined = resolve(target, depth + 1);
      return Object.keys(siblings).length === 0 ? inlined : { ...(inlined as SchemaObject), ...siblings };
    });
  let out = resolve(root, 0) as SchemaObject;
  if (rename.size > 0) {
    const kept: SchemaObject = {};
    for (const [name, safe] of [...rename].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
      kept[safe] = resolve($defs[name] as Json, 0);
    }
    // A root that only points at a recursive definition (a destructured or returned recursive
    // type) shows that definition's body, so its properties are visible without following a $ref.
    const { $ref, ...siblings } = out;
    const body = typeof $ref === "string" ? kept[$ref.slice(8)] : undefined;
    if (isObject(body)) out = { ...body, ...siblings };
    out.$defs = kept;
  }
  return out;
}

/** Drops `additionalProperties: false` everywhere: an output schema must accept what handlers add. */
export function allowExtraProperties(schema: SchemaObject): SchemaObject {
  return transform(schema, (s) => {
    if (s.additionalProperties === false) {
      const { additionalProperties: _ignored, ...rest } = s;
      return rest;
    }
    return s;
  }) as SchemaObject;
}

/** Every string the schema's description or messages cannot express (the generator's failures). */
export function generatorFailures(schema: Json): string[] {
  const found: string[] = [];
  transform(schema, (s) => {
    if (s.description === "Failed to correctly infer type")
      found.push("a type the generator could not infer");
    return s;
  });
  return found;
}

/** The string values a property allows, when it is an enum (or a union of literals) of strings. */
export function stringEnum(schema: Json | undefined): string[] | undefined {
  if (!isObject(schema)) return undefined;
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string"))
    return schema.enum as string[];
  if (typeof schema.const === "string") return [schema.const];
  const options = Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
  if (options === undefined) return undefined;
  const values = options.map(stringEnum);
  return values.every((v) => v !== undefined) ? values.flat() : undefined;
}
