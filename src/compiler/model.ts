// The intermediate model between reading the source and writing output. Scanning produces it;
// schema, validator, emit and manifest stages read it and never touch the type checker.
import type { JsonSchema, ToolAnnotations } from "../runtime/table.js";

export interface Location {
  /** Project-relative, forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly length?: number;
}

/** A constraint tag as written (`@minimum 1`), applied to one parameter's schema. */
export interface ConstraintTag {
  readonly name: string;
  readonly text: string;
  readonly location: Location;
}

export interface Parameter {
  /** Property of the input object. */
  readonly name: string;
  /** Index in the function's parameter list. */
  readonly position: number;
  readonly optional: boolean;
  readonly description?: string;
  /** From a literal initializer (`limit = 10`). */
  readonly defaultValue?: unknown;
  readonly hasDefault: boolean;
  readonly constraints: readonly ConstraintTag[];
  readonly location: Location;
}

export interface Handler {
  /** Absolute path of the module that declares the function. */
  readonly modulePath: string;
  /** The name that module exports it under (`default` for a default export). */
  readonly exportName: string;
  /** How many parameters the function declares, the context included. */
  readonly arity: number;
  readonly contextPosition?: number;
  /** Non-context parameters, in order. */
  readonly params: readonly Parameter[];
  /** A single destructured parameter binds the whole input object. */
  readonly destructured: boolean;
  /** Name of the synthetic interface that describes the input (see synthetic.ts). */
  readonly inputType: string;
  /** Name of the synthetic alias of the awaited return type, when the output is structured. */
  readonly outputType?: string;
}

interface EntryBase {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly timeoutMs?: number;
  readonly location: Location;
  readonly handler: Handler;
  readonly inputSchema: JsonSchema;
}

export interface ToolModel extends EntryBase {
  readonly kind: "tool";
  readonly annotations?: ToolAnnotations;
  readonly outputSchema?: JsonSchema;
  /** The return type is not an object: structured output is `{ result }`. */
  readonly wrapResult: boolean;
}

export interface ResourceModel extends EntryBase {
  readonly kind: "resource";
  readonly uri: string;
  readonly mimeType?: string;
}

export interface ResourceTemplateModel extends EntryBase {
  readonly kind: "resourceTemplate";
  readonly uriTemplate: string;
  readonly mimeType?: string;
  readonly completions: Readonly<Record<string, readonly string[]>>;
}

export interface PromptModel extends EntryBase {
  readonly kind: "prompt";
  readonly arguments: readonly { name: string; description?: string; required: boolean }[];
  readonly completions: Readonly<Record<string, readonly string[]>>;
}

export type EntryModel = ToolModel | ResourceModel | ResourceTemplateModel | PromptModel;

export interface ServerModel {
  readonly name: string;
  readonly version: string;
  readonly instructions?: string;
}

export interface ProjectModel {
  readonly server: ServerModel;
  /** Sorted by kind, then name: output never depends on file order. */
  readonly entries: readonly EntryModel[];
}
