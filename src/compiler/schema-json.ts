// Pure transforms on the JSON Schemas the generator produces: draft-07 to 2020-12, inlining the
// definitions that stay small when inlined (clients handle $ref poorly), readable names for the
// rest, and the @integer tag. Self-contained output: every $ref resolves inside the schema.
// Schemas are walked by keyword: the keys of `properties` (and `$defs`, `patternProperties`, …)
// are names, never keywords, and the values of `enum`, `const`, `default`, `examples` are data.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SchemaObject = { [key: string]: Json };

function isObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keywords whose value is a subschema (draft-07 tuple `items` is a list of them). */
const SUBSCHEMA = new Set([
  "additionalItems",
  "additionalProperties",
  "contains",
  "contentSchema",
  "else",
  "if",
  "items",
  "not",
  "propertyNames",
  "then",
  "unevaluatedItems",
  "unevaluatedProperties",
]);
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = new Set([
  "$defs",
  "definitions",
  "dependentSchemas",
  "patternProperties",
  "properties",
]);

/** The value of keyword `key` with `f` applied to each subschema in it; other values are data. */
function mapSubschemas(key: string, value: Json, f: (schema: Json) => Json): Json {
  if (SUBSCHEMA.has(key)) return Array.isArray(value) ? value.map(f) : f(value);
  if (SUBSCHEMA_LIST.has(key)) return Array.isArray(value) ? value.map(f) : value;
  // draft-07 `dependencies`: each value is a subschema or a list of property names.
  if (SUBSCHEMA_MAP.has(key) || key === "dependencies") {
    if (!isObject(value)) return value;
    // fromEntries, not assignment: a property may be called `__proto__`.
    return Object.fromEntries(
      Object.entries(value).map(([name, v]) => [name, key === "dependencies" && Array.isArray(v) ? v : f(v)]),
    );
  }
  return value;
}

/** Maps over every subschema, bottom-up; `fn` sees schema objects only (not boolean schemas). */
function transform(schema: Json, fn: (schema: SchemaObject) => Json): Json {
  if (!isObject(schema)) return schema;
  const out = Object.fromEntries(
    Object.entries(schema).map(([key, v]) => [key, mapSubschemas(key, v, (s) => transform(s, fn))]),
  );
  return fn(out);
}

/** Calls `fn` on every schema object, top-down, without copying. */
function visit(schema: Json, fn: (schema: SchemaObject) => void): void {
  if (!isObject(schema)) return;
  fn(schema);
  for (const [key, v] of Object.entries(schema)) {
    mapSubschemas(key, v, (s) => {
      visit(s, fn);
      return s;
    });
  }
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

/** Names of definitions that can reach themselves through $refs, given each one's references. */
function recursiveDefinitions(edges: ReadonlyMap<string, readonly string[]>): Set<string> {
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
 * A definition is inlined when it is referenced once, or when its fully inlined JSON is at most
 * this many characters. Either way a schema grows by at most INLINE_BUDGET per `$ref` the
 * generator wrote (a definition inlined at several places is small; a large one appears once),
 * so the output stays linear in the generator's output instead of doubling per level of a chain
 * of shared types. 2 KiB holds an object of a dozen or so documented properties, so the schemas
 * of typical tools stay fully inlined; larger shared types are kept in `$defs` and referenced.
 */
export const INLINE_BUDGET = 2048;

const DEFS = "#/$defs/";

/**
 * Replaces each $ref to a definition that stays small when inlined (see INLINE_BUDGET) with the
 * definition itself; keeps the rest (recursive ones among them) under names made of
 * [A-Za-z0-9_] (`Tree`, `Partial_Node_`). Drops definitions nothing refers to.
 */
export function inlineDefinitions(schema: SchemaObject): SchemaObject {
  const { $defs, ...root } = schema;
  if (!isObject($defs)) return schema;
  const defs = new Map(Object.entries($defs));
  /** The definition a schema's $ref points at, if it is one of ours. */
  const target = (s: SchemaObject): string | undefined => {
    if (typeof s.$ref !== "string" || !s.$ref.startsWith(DEFS)) return undefined;
    const raw = s.$ref.slice(DEFS.length);
    if (defs.has(raw)) return raw;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    return defs.has(decoded) ? decoded : undefined;
  };
  const refsIn = (value: Json): string[] => {
    const found: string[] = [];
    visit(value, (s) => {
      const name = target(s);
      if (name !== undefined) found.push(name);
    });
    return found;
  };

  // The definitions reachable from the root, what each refers to, and how often each is referred
  // to (from the root and from the bodies of reachable definitions).
  const edges = new Map<string, string[]>();
  const uses = new Map<string, number>();
  const pending = refsIn(root);
  for (const name of pending) uses.set(name, (uses.get(name) ?? 0) + 1);
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (edges.has(name)) continue;
    const refs = refsIn(defs.get(name) as Json);
    edges.set(name, refs);
    for (const ref of refs) {
      uses.set(ref, (uses.get(ref) ?? 0) + 1);
      pending.push(ref);
    }
  }

  // Decide bottom-up (the non-recursive definitions form a DAG), memoising each inlined size.
  const recursive = recursiveDefinitions(edges);
  const inlinedSize = new Map<string, number>();
  const kept = new Set<string>(recursive);
  const decide = (name: string): void => {
    if (inlinedSize.has(name) || kept.has(name)) return;
    let extra = 0;
    const skeleton = transform(defs.get(name) as Json, (s) => {
      const ref = target(s);
      if (ref === undefined) return s;
      decide(ref);
      const size = inlinedSize.get(ref);
      if (size === undefined) return s;
      extra += size;
      const { $ref: _ref, ...siblings } = s;
      return siblings;
    });
    const size = JSON.stringify(skeleton).length + extra;
    if (uses.get(name) === 1 || size <= INLINE_BUDGET) inlinedSize.set(name, size);
    else kept.add(name);
  };
  for (const name of edges.keys()) decide(name);

  const safeNames = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of [...kept].sort()) {
    let safe = name.replace(/[^A-Za-z0-9_]/g, "_") || "_";
    while (taken.has(safe)) safe += "_";
    taken.add(safe);
    safeNames.set(name, safe);
  }
  // Fresh objects at every use: later stages edit property schemas in place.
  const resolve = (value: Json): Json =>
    transform(value, (s) => {
      const name = target(s);
      if (name === undefined) return s;
      const { $ref: _ref, ...siblings } = s;
      const safe = safeNames.get(name);
      if (safe !== undefined) return { ...siblings, $ref: `${DEFS}${safe}` };
      const body = resolve(defs.get(name) as Json);
      if (Object.keys(siblings).length === 0) return body;
      if (isObject(body)) return { ...body, ...siblings };
      return body === false ? { not: {}, ...siblings } : siblings;
    });

  let out = resolve(root) as SchemaObject;
  if (safeNames.size === 0) return out;
  // A root that only points at a kept definition (a destructured or returned recursive type)
  // shows that definition's body, so its properties are visible without following a $ref.
  const { $ref, ...siblings } = out;
  const rootTarget = [...safeNames].find(([, safe]) => $ref === `${DEFS}${safe}`)?.[0];
  const rootBody = rootTarget === undefined ? undefined : resolve(defs.get(rootTarget) as Json);
  if (isObject(rootBody)) out = { ...rootBody, ...siblings };
  out.$defs = Object.fromEntries(
    [...safeNames]
      .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([name, safe]) => [safe, resolve(defs.get(name) as Json)]),
  );
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
  visit(schema, (s) => {
    if (s.description === "Failed to correctly infer type")
      found.push("a type the generator could not infer");
  });
  return found;
}

/**
 * The string values a property allows, when it is an enum (or a union of literals) of strings.
 * `defs` (the schema's `$defs`) lets it follow a `$ref` to a definition kept there.
 */
export function stringEnum(schema: Json | undefined, defs?: Json): string[] | undefined {
  return stringEnumIn(schema, isObject(defs) ? defs : {}, new Set());
}

function stringEnumIn(schema: Json | undefined, defs: SchemaObject, seen: Set<string>): string[] | undefined {
  if (!isObject(schema)) return undefined;
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string"))
    return schema.enum as string[];
  if (typeof schema.const === "string") return [schema.const];
  if (typeof schema.$ref === "string" && schema.$ref.startsWith(DEFS)) {
    const name = schema.$ref.slice(DEFS.length);
    if (seen.has(name) || !Object.hasOwn(defs, name)) return undefined;
    return stringEnumIn(defs[name], defs, new Set([...seen, name]));
  }
  const options = Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
  if (options === undefined) return undefined;
  const values = options.map((option) => stringEnumIn(option, defs, seen));
  return values.every((v) => v !== undefined) ? values.flat() : undefined;
}
