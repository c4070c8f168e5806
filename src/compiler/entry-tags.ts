// The entry-level tags of a tagged function (name, title, @timeout, annotations, @mimeType) and
// what its return type allows: a tool's structured output, a resource's MIME type, a prompt's result.
import { Code } from "./diagnostics.js";
import type { DocTag } from "./jsdoc.js";
import type { Scanner } from "./scan.js";
import type { TaggedFunction } from "./tagged.js";
import { parseDuration } from "./tags.js";
import type { ts } from "./ts.js";
import {
  awaitedReturnType,
  findUnsupported,
  isPromptResult,
  outputShape,
  resourceMimeType,
  unnameableAt,
} from "./types.js";

export interface Described {
  /** A problem was reported that leaves nothing to build. */
  readonly failed?: boolean;
  readonly explicitName?: string;
  readonly title?: string;
  readonly timeoutMs?: number;
  readonly annotations?: Record<string, boolean>;
  readonly mimeType?: string;
  readonly output?: ReturnType<typeof outputShape>;
}

const ANNOTATION_TAGS: Record<string, string> = {
  readOnly: "readOnlyHint",
  destructive: "destructiveHint",
  idempotent: "idempotentHint",
  openWorld: "openWorldHint",
};

/** The entry-level tags (name, title, budget, annotations, MIME type) and, for tools, the output. */
export function describe(
  s: Scanner,
  tagged: TaggedFunction,
  kind: "tool" | "resource" | "prompt",
): Described {
  const out: { -readonly [K in keyof Described]: Described[K] } = {};
  const kindText = tagged.kinds[0]?.text ?? "";
  if (kind !== "resource" && kindText !== "") out.explicitName = kindText;
  if (kind === "resource" && kindText === "") {
    s.report(tagged.kinds[0]?.node ?? tagged.fn, {
      code: Code.MissingUri,
      severity: "error",
      message:
        "@resource needs a URI or URI template, e.g. @resource config://app or @resource users://{id}/profile",
    });
  }
  for (const tag of tagged.doc.tags) {
    if (tag.name === "title") out.title = tag.text;
    else if (tag.name === "timeout") {
      const ms = parseDuration(tag.text);
      if (ms === undefined) {
        s.report(tag.node, {
          code: Code.BadTagValue,
          severity: "error",
          message: `@timeout needs a duration such as 500ms, 5s or 2m, got ${JSON.stringify(tag.text)}`,
        });
      } else out.timeoutMs = ms;
    } else if (tag.name in ANNOTATION_TAGS) {
      if (kind !== "tool") strayTag(s, tag, "tools");
      else if (tag.text !== "" && tag.text !== "true" && tag.text !== "false") {
        s.report(tag.node, {
          code: Code.BadTagValue,
          severity: "error",
          message: `@${tag.name} takes no value (or true/false), got ${JSON.stringify(tag.text)}`,
        });
      } else
        out.annotations = { ...out.annotations, [ANNOTATION_TAGS[tag.name] as string]: tag.text !== "false" };
    } else if (tag.name === "mimeType") {
      if (kind !== "resource") strayTag(s, tag, "resources");
      else out.mimeType = tag.text;
    }
  }
  const returned = awaitedReturnType(s.checker, tagged.fn);
  if (kind === "tool" && returned !== undefined) {
    out.output = outputShape(s.checker, returned);
    if (out.output.structured && !checkOutput(s, tagged, out.output.types)) out.failed = true;
  }
  // Without @mimeType, a resource's type follows what it returns (DESIGN §1).
  if (kind === "resource" && out.mimeType === undefined && returned !== undefined) {
    const inferred = resourceMimeType(s.checker, returned);
    if (inferred !== undefined) out.mimeType = inferred;
  }
  if (kind === "prompt" && returned !== undefined && !isPromptResult(s.checker, returned)) {
    s.report(tagged.fn.type ?? tagged.nameNode ?? tagged.fn, {
      code: Code.PromptReturn,
      severity: "error",
      message: `a prompt returns string or PromptMessage[]; this one returns ${s.checker.typeToString(returned)}`,
    });
  }
  return out;
}

/** The structured result must be data JSON carries as typed, and nameable where the handler is. */
function checkOutput(s: Scanner, tagged: TaggedFunction, types: readonly ts.Type[]): boolean {
  const at = tagged.fn.type ?? tagged.nameNode ?? tagged.fn;
  for (const type of types) {
    const unsupported = findUnsupported(s.checker, s.program, type);
    if (unsupported !== undefined) {
      const where = unsupported.path === "" ? "" : ` at ${unsupported.path}`;
      s.report(at, {
        code: Code.UnsupportedType,
        severity: "error",
        message: `the result contains ${unsupported.what}${where}, which JSON does not carry as typed`,
        hint: unsupported.hint,
      });
      return false;
    }
    const unnamed = unnameableAt(s.checker, type, tagged.fn);
    if (unnamed !== undefined) {
      s.report(at, {
        code: Code.SchemaFailed,
        severity: "error",
        message: `the result type uses ${unnamed}, which this module cannot name, so no output schema can be derived`,
        hint: `annotate the return type with types this module imports or declares (e.g. Promise<${unnamed}> after importing it)`,
      });
      return false;
    }
  }
  return true;
}

function strayTag(s: Scanner, tag: DocTag, where: string): void {
  s.report(tag.node.tagName, {
    code: Code.StrayTag,
    severity: "warning",
    message: `@${tag.name} applies to ${where} only; ignored here`,
  });
}
