// The schema stage: JSON Schemas for every entry's input (and a tool's output) from the synthetic
// declarations, with ts-json-schema-generator sharing our program; then @param descriptions,
// literal defaults and constraint tags applied, and prompt arguments and completions derived.

import type { JsonSchema } from "../runtime/table.js";
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

export function generateSchemas(
  program: ts.Program,
  drafts: readonly EntryDraft[],
): StageResult<EntryModel[]> {
  const diagnostics: Diagnostic[] = [];
  const generator = createSchemaGenerator(program);
  const schemaOf = (draft: EntryDraft, typeName: string): SchemaObject | undefined => {
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
      raw = generator.createSchemaFromNodes([node]) as unknown as SchemaObject;
    } catch (error) {
      return fail(error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error));
    }
    const failures = generatorFailures(raw as Json);
    if (failures.length > 0) return fail(failures[0] as string);
    return inlineDefinitions(toDraft2020(raw));
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
        if (draft.handler.outputType !== undefined) {
          const output = schemaOf(draft, draft.handler.outputType);
          if (output === undefined) continue;
          const { $defs, ...value } = allowExtraProperties(output);
          outputSchema = draft.wrapResult
            ? {
                type: "object",
                properties: { result: value },
                required: ["result"],
                ...($defs === undefined ? {} : { $defs }),
              }
            : output.type === "object"
              ? allowExtraProperties(output)
              : { type: "object", ...allowExtraProperties(output) };
        }
        entries.push({
          ...base,
          kind: "tool",
          wrapResult: draft.wrapResult,
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
  ) => {
    const target = properties[property];
    if (target === undefined) {
      diagnostics.push({
        code: Code.StrayTag,
        severity: "error",
        message: `@param ${property} names no property of the input`,
        ...draft.location,
      });
      ok = false;
      return;
    }
    if (description !== undefined) target.description = description;
    for (const tag of tags) {
      const result = constraintValue(tag);
      if ("diagnostic" in result) {
        diagnostics.push({ ...result.diagnostic, ...tag.location });
        ok = false;
      } else if (result.keyword === "integer") {
        retype(target);
      } else {
        target[result.keyword] = result.value as Json;
      }
    }
  };
  for (const p of draft.handler.params as Parameter[]) {
    apply(p.name, p.description, p.constraints);
    const target = properties[p.name];
    if (target !== undefined && p.hasDefault && target.default === undefined)
      target.default = p.defaultValue as Json;
  }
  for (const t of draft.propertyTags) {
    apply(
      t.property,
      t.description,
      t.tags.map((tag) => ({ name: tag.name, text: tag.text, location: draft.location })),
    );
  }
  return ok;
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
    const values = stringEnum(property);
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
