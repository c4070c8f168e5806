// One-line summaries of JSON Schemas for `fastmcp list`: `query: string, limit?: integer`.
// Deliberately shallow: nested objects are `object`; `--json` has the full schema.

export type JsonSchema = { [keyword: string]: unknown };

const MAX_ENUM_VALUES = 6;

/** The properties of an input schema as `name: type`, optional ones as `name?: type`. */
export function describeParameters(schema: JsonSchema | undefined): string {
  const properties = asSchema(schema?.properties);
  if (properties === undefined) return "";
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  return Object.entries(properties)
    .map(([name, property]) => `${name}${required.has(name) ? "" : "?"}: ${describeType(asSchema(property))}`)
    .join(", ");
}

export function describeType(schema: JsonSchema | undefined): string {
  if (schema === undefined) return "any";
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.slice(0, MAX_ENUM_VALUES).map((v) => JSON.stringify(v));
    if (schema.enum.length > MAX_ENUM_VALUES) values.push("…");
    return values.join(" | ");
  }
  if (typeof schema.$ref === "string") return schema.$ref.split("/").at(-1) ?? "any";
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.map((s) => describeType(asSchema(s))).join(" | ");
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => describeType({ ...schema, type: t })).join(" | ");
  if (type === "array") {
    const items = describeType(asSchema(schema.items));
    return items.includes(" ") ? `(${items})[]` : `${items}[]`;
  }
  return typeof type === "string" ? type : "any";
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as JsonSchema)
    : undefined;
}
