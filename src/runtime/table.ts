// The dispatch table: what a generated server hands to the runtime. Data plus one-line
// invokers; every behaviour (validation errors, result mapping, cancellation) lives in the
// runtime. The compiler targets these types; hand-written tables in fixtures use them too.
import type { Context } from "./context.js";

/** A JSON Schema object, emitted by the compiler (draft 2020-12 semantics). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** One validation problem, in the shape ajv's standalone validators report. */
export interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/**
 * Checks arguments against the entry's input schema. Returns true when valid; otherwise
 * false with every problem in `errors` (an ajv standalone validator compiled with allErrors).
 */
export interface Validator {
  (data: unknown): boolean;
  errors?: readonly ValidationIssue[] | null;
}

export interface ToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

interface EntryBase {
  readonly title?: string;
  readonly description?: string;
  /** The handler's budget (`@timeout`); the server's requestTimeout applies otherwise. */
  readonly timeoutMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the default lets one table hold entries of any argument type.
export interface ToolEntry<Args = any> extends EntryBase {
  readonly name: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  /** The output schema wraps a non-object return type as `{ result }`. */
  readonly wrapResult?: boolean;
  readonly annotations?: ToolAnnotations;
  readonly validate?: Validator;
  readonly invoke: (ctx: Context, args: Args) => unknown;
}

export interface ResourceEntry extends EntryBase {
  readonly uri: string;
  readonly name: string;
  readonly mimeType?: string;
  readonly size?: number;
  readonly invoke: (ctx: Context) => unknown;
}

export interface ResourceTemplateEntry extends EntryBase {
  /** RFC 6570 level 1: `{var}` placeholders, each matching one non-empty path segment part. */
  readonly uriTemplate: string;
  readonly name: string;
  readonly mimeType?: string;
  /** Values offered by completion/complete, per variable (from literal unions and enums). */
  readonly completions?: Readonly<Record<string, readonly string[]>>;
  /** Checks the decoded variables (e.g. against a literal union); a failure answers -32602. */
  readonly validate?: Validator;
  /** Receives the decoded variables. */
  readonly invoke: (ctx: Context, variables: Readonly<Record<string, string>>) => unknown;
}

export interface PromptArgument {
  readonly name: string;
  readonly description?: string;
  readonly required?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: as for ToolEntry.
export interface PromptEntry<Args = any> extends EntryBase {
  readonly name: string;
  readonly arguments?: readonly PromptArgument[];
  readonly completions?: Readonly<Record<string, readonly string[]>>;
  readonly validate?: Validator;
  readonly invoke: (ctx: Context, args: Args) => unknown;
}

export interface ServerIdentity {
  readonly name: string;
  readonly version: string;
  readonly title?: string;
  /** Sent in the initialize result to tell the model how to use the server. */
  readonly instructions?: string;
}

export interface DispatchTable {
  readonly server: ServerIdentity;
  readonly tools?: readonly ToolEntry[];
  readonly resources?: readonly ResourceEntry[];
  readonly resourceTemplates?: readonly ResourceTemplateEntry[];
  readonly prompts?: readonly PromptEntry[];
}
