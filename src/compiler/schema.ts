// The schema stage: JSON Schemas for every entry's input (and a tool's output) from the synthetic
// declarations, with ts-json-schema-generator sharing our program; then @param descriptions,
// literal defaults and constraint tags applied, and prompt arguments and completions derived.

import type { JsonSchema } from "../runtime/table.js";
import type { BuildCache } from "./build-cache.js";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { createSchemaGenerator } from "./generator.js";
import type { EntryModel, Location, Parameter } from "./model.js";
import type { EntryDraft } from "./scan.js";
import {
  allowExtraProperties,
  generatorFailures,
  inlineDefinitions,
  type Json,
  type SchemaObject,
  stringEnum,
  toDraft2020,
} from "./schema-json.js";
import { constraintValue } from "./tags.js";
import { ts } from "./ts.js";

/**
 * Generated schemas remembered across builds (fastmcp dev). `keyOf` says what a draft's schemas
 * depend on; a draft whose key is unchanged skips the generator.
 */
export interface SchemaCache {
  readonly store: BuildCache<SchemaObject>;
  keyOf(draft: EntryDraft): string;
}

export function generateSchemas(
  program: ts.Program,
  drafts: readonly EntryDraft[],
  cache?: SchemaCache,
): StageResult<EntryModel[]> {
  const diagnostics: Diagnostic[] = [];
  let generator: ReturnType<typeof createSchemaGenerator> | undefined;
  const schemaOf = (draft: EntryDraft, typeName: string): SchemaObject | undefined => {
    const key = cache === undefined ? undefined : `${cache.keyOf(draft)}\0${typeName}`;
    const hit = key === undefined ? undefined : cache?.store.get(key);
    // Later stages edit schemas in place: every user gets its own copy.
    if (hit !== undefined) return structuredClone(hit);
    const file = program.getSourceFile(draft.handler.modulePath);
    const node = file?.statements.find(
      (s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === typeName,
    );
    const fail = (why: string): undefined => {
      diagnostics.push({
        code: Code.SchemaFailed,
        severity: "error",
        message: `cannot derive a JSON Schema for ${draft.name}: ${why}`,
        hint: "give the parameter or return type an explicit type that is declared at the top level of a module",
        ...draft.location,
      });
      return undefined;
    };
    if (node === undefined) return fail("its synthetic declaration is missing");
    let raw: SchemaObject;
    try {
      generator ??= createSchemaGenerator(program);
      raw = generator.createSchemaFromNodes([node]) as unknown as SchemaObject;
    } catch (error) {
      return fail(error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error));
    }
    const failures = generatorFailures(raw as Json);
    if (failures.length > 0) return fail(failures[0] as string);
    const schema = inlineDefinitions(toDraft2020(raw));
    if (key !== undefined) cache?.store.set(key, structuredClone(schema));
    return schema;
  };

  const entries: EntryModel[] = [];
  for (const draft of drafts) {
    const generated = schemaOf(draft, draft.handler.inputType);
    if (generated === undefined) continue;
    // Some clients want `properties` even when there are none.
    const input =
      generated.properties === undefined ? { type: "object", properties: {}, ...generated } : generated;
    if (!applyParameterDocs(input, draft, diagnostics)) continue;
    const base = {
      name: draft.name,
      location: draft.location,
      handler: draft.handler,
      inputSchema: input as JsonSchema,
      ...(draft.title === undefined ? {} : { title: draft.title }),
      ...(draft.description === undefined ? {} : { description: draft.description }),
      ...(draft.timeoutMs === undefined ? {} : { timeoutMs: draft.timeoutMs }),
    };
    switch (draft.kind) {
      case "tool": {
        let outputSchema: SchemaObject | undefined;
        let wrap = draft.wrapResult;
        if (draft.handler.outputType !== undefined) {
          const output = schemaOf(draft, draft.handler.outputType);
          if (output === undefined) continue;
          const { $defs, ...value } = withoutUndefined(allowExtraProperties(output));
          // An output schema describes an object; anything else travels as { result }.
          if (value.type !== "object") wrap = true;
          const result =
            draft.nullableResult && !allowsNull(value) ? { anyOf: [value, { type: "null" }] } : value;
          outputSchema = wrap
            ? {
                type: "object",
                properties: { result },
                required: ["result"],
                ...($defs === undefined ? {} : { $defs }),
              }
            : { ...value, ...($defs === undefined ? {} : { $defs }) };
        }
        entries.push({
          ...base,
          kind: "tool",
          wrapResult: wrap,
          ...(draft.annotations === undefined ? {} : { annotations: draft.annotations }),
          ...(outputSchema === undefined ? {} : { outputSchema: outputSchema as JsonSchema }),
        });
        break;
      }
      case "resource":
        entries.push({
          ...base,
          kind: "resource",
          uri: draft.uri ?? "",
          ...(draft.mimeType === undefined ? {} : { mimeType: draft.mimeType }),
        });
        break;
      case "resourceTemplate":
        entries.push({
          ...base,
          kind: "resourceTemplate",
          uriTemplate: draft.uri ?? "",
          completions: completionsOf(input),
          ...(draft.mimeType === undefined ? {} : { mimeType: draft.mimeType }),
        });
        break;
      case "prompt":
        entries.push({
          ...base,
          kind: "prompt",
          arguments: promptArguments(input),
          completions: completionsOf(input),
        });
        break;
      default:
        return draft.kind satisfies never;
    }
  }
  cache?.store.sweep();
  return { value: entries, diagnostics };
}

/**
 * Puts what JSDoc says about each parameter into its property schema: the @param text as the
 * description, a literal initializer as the default, and constraint tags as keywords.
 */
function applyParameterDocs(schema: SchemaObject, draft: EntryDraft, diagnostics: Diagnostic[]): boolean {
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  let ok = true;
  const apply = (
    property: string,
    description: string | undefined,
    tags: readonly { name: string; text: string; location: Location }[],
    at: Location,
  ) => {
    const target = properties[property];
    if (target === undefined) {
      diagnostics.push({
        code: Code.StrayTag,
        severity: "error",
        message: `@param ${property} names no property of the input`,
        ...at,
      });
      ok = false;
      return;
    }
    if (description !== undefined) target.description = description;
    for (const tag of tags) {
      const result = constraintValue(tag);
      const misfit = "diagnostic" in result ? undefined : misfitFor(result.keyword, target);
      if ("diagnostic" in result) {
        diagnostics.push({ ...result.diagnostic, ...tag.location });
        ok = false;
      } else if (misfit !== undefined) {
        diagnostics.push({
          code: Code.BadTagValue,
          severity: "error",
          message: `@${tag.name} applies to ${misfit}, but ${property} is ${describeType(target)}`,
          ...(typesOf(target)?.includes("array")
            ? { hint: "to constrain the items, give them a named type and tag its members" }
            : {}),
          ...tag.location,
        });
        ok = false;
      } else if (result.keyword === "integer") {
        retype(target);
      } else {
        target[result.keyword] = result.value as Json;
      }
    }
  };
  for (const p of draft.handler.params as Parameter[]) {
    apply(p.name, p.description, p.constraints, p.location);
    const target = properties[p.name];
    if (target !== undefined && p.hasDefault && target.default === undefined)
      target.default = p.defaultValue as Json;
  }
  for (const t of draft.propertyTags) apply(t.property, t.description, t.constraints, t.location);
  return ok;
}

function allowsNull(schema: SchemaObject): boolean {
  if (schema.type === "null" || (Array.isArray(schema.type) && schema.type.includes("null"))) return true;
  return (
    Array.isArray(schema.anyOf) &&
    schema.anyOf.some((s) => typeof s === "object" && s !== null && !Array.isArray(s) && allowsNull(s))
  );
}

/** `T | undefined` comes out as anyOf [T, { not: {} }]: undefined is the absence of a result, not a value. */
function withoutUndefined(schema: SchemaObject): SchemaObject {
  if (!Array.isArray(schema.anyOf)) return schema;
  const isNever = (s: Json) =>
    typeof s === "object" &&
    s !== null &&
    !Array.isArray(s) &&
    Object.keys(s).length === 1 &&
    JSON.stringify(s.not) === "{}";
  const kept = schema.anyOf.filter((s) => !isNever(s));
  if (kept.length === schema.anyOf.length) return schema;
  const { anyOf: _dropped, ...rest } = schema;
  const only = kept[0];
  return kept.length === 1 && typeof only === "object" && only !== null && !Array.isArray(only)
    ? { ...only, ...rest }
    : { ...rest, anyOf: kept };
}

const APPLIES_TO: Record<string, string> = {
  minimum: "number",
  maximum: "number",
  exclusiveMinimum: "number",
  exclusiveMaximum: "number",
  multipleOf: "number",
  integer: "number",
  minLength: "string",
  maxLength: "string",
  pattern: "string",
  format: "string",
  minItems: "array",
  maxItems: "array",
  uniqueItems: "array",
};

/** "numbers" when a keyword cannot apply to the property's type; undefined when it can (or is unknown). */
function misfitFor(keyword: string, target: SchemaObject): string | undefined {
  const wanted = APPLIES_TO[keyword];
  if (wanted === undefined) return undefined;
  const types = typesOf(target);
  if (types === undefined) return undefined;
  const fits = types.some((t) => t === wanted || (wanted === "number" && t === "integer"));
  return fits ? undefined : `${wanted === "array" ? "arrays" : `${wanted}s`}`;
}

/** The JSON types a schema allows, when it says so plainly (type, or anyOf of typed schemas). */
function typesOf(schema: SchemaObject): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (Array.isArray(schema.anyOf)) {
    const parts = schema.anyOf.map((s) =>
      typeof s === "object" && s !== null && !Array.isArray(s) ? typesOf(s) : undefined,
    );
    return parts.every((p) => p !== undefined) ? (parts.flat() as string[]) : undefined;
  }
  return undefined;
}

function describeType(schema: SchemaObject): string {
  const types = typesOf(schema) ?? ["something else"];
  return types
    .map((t) => (t === "array" ? "an array" : t === "object" ? "an object" : `a ${t}`))
    .join(" or ");
}

function retype(schema: SchemaObject): void {
  if (schema.type === "number") schema.type = "integer";
  else if (Array.isArray(schema.type)) schema.type = schema.type.map((t) => (t === "number" ? "integer" : t));
  else if (Array.isArray(schema.anyOf))
    for (const option of schema.anyOf)
      if (typeof option === "object" && option !== null && !Array.isArray(option)) retype(option);
}

function completionsOf(input: SchemaObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, property] of Object.entries((input.properties ?? {}) as Record<string, Json>)) {
    const values = stringEnum(property, input.$defs);
    if (values !== undefined) out[name] = values;
  }
  return out;
}

function promptArguments(input: SchemaObject): { name: string; description?: string; required: boolean }[] {
  const required = new Set((input.required ?? []) as string[]);
  return Object.entries((input.properties ?? {}) as Record<string, SchemaObject>).map(([name, property]) => ({
    name,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    required: required.has(name),
  }));
}
