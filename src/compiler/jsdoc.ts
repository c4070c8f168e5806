// Reads the JSDoc of a declaration: the summary, and every tag in source order with its text.
import { ts } from "./ts.js";

export interface DocTag {
  readonly name: string;
  /** The text after the tag (after the name, for @param). */
  readonly text: string;
  /** For @param: the parameter it describes. */
  readonly param?: string;
  readonly node: ts.JSDocTag;
}

export interface Doc {
  readonly summary?: string;
  readonly tags: readonly DocTag[];
}

export const KIND_TAGS = ["tool", "resource", "prompt"] as const;
export type KindTag = (typeof KIND_TAGS)[number];

/** Tags that constrain one parameter (or interface member) and become JSON Schema keywords. */
export const CONSTRAINT_TAGS = new Set([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minItems",
  "maxItems",
  "uniqueItems",
  "default",
  "examples",
  "deprecated",
  "integer",
]);

/** Everything else this compiler understands, plus the common documentation tags it leaves alone. */
export const KNOWN_TAGS = new Set([
  ...KIND_TAGS,
  ...CONSTRAINT_TAGS,
  "param",
  "title",
  "readOnly",
  "destructive",
  "idempotent",
  "openWorld",
  "timeout",
  "mimeType",
  "returns",
  "return",
  "throws",
  "example",
  "see",
  "since",
  "remarks",
  "link",
]);

export function readDoc(node: ts.Node): Doc {
  const block = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (block === undefined) return { tags: [] };
  const summary = ts.getTextOfJSDocComment(block.comment)?.trim();
  const tags = (block.tags ?? []).map((tag): DocTag => {
    const text = (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
    if (ts.isJSDocParameterTag(tag)) {
      return {
        name: tag.tagName.text,
        text: text.replace(/^-\s*/, ""),
        param: tag.name.getText(),
        node: tag,
      };
    }
    return { name: tag.tagName.text, text, node: tag };
  });
  return summary === undefined || summary === "" ? { tags } : { summary, tags };
}

export function kindTags(doc: Doc): DocTag[] {
  return doc.tags.filter((tag) => (KIND_TAGS as readonly string[]).includes(tag.name));
}
