// Turns JSDoc tags into values: constraint keywords for a parameter's schema, tool annotations,
// budgets and MIME types, reporting every tag it cannot read and every tag it does not know.
import formats from "ajv-formats/dist/formats.js";
import { Code, type Diagnostic } from "./diagnostics.js";
import { CONSTRAINT_TAGS, type DocTag, KIND_TAGS, KNOWN_TAGS } from "./jsdoc.js";
import type { ConstraintTag, Location } from "./model.js";

const NUMBER_TAGS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);
const COUNT_TAGS = new Set(["minLength", "maxLength", "minItems", "maxItems"]);
const FLAG_TAGS = new Set(["uniqueItems", "deprecated", "integer"]);
const KNOWN_FORMATS = new Set(Object.keys(formats.fullFormats));

/** The schema keyword and value of a constraint tag, or a diagnostic explaining why not. */
export function constraintValue(
  tag: ConstraintTag,
): { keyword: string; value: unknown } | { diagnostic: Omit<Diagnostic, "file" | "line" | "column"> } {
  const { name, text } = tag;
  if (NUMBER_TAGS.has(name) || COUNT_TAGS.has(name)) {
    const value = Number(text);
    const ok =
      text !== "" &&
      Number.isFinite(value) &&
      (!COUNT_TAGS.has(name) || (Number.isInteger(value) && value >= 0));
    if (!ok) {
      const want = COUNT_TAGS.has(name) ? "a whole number of at least 0" : "a number";
      return { diagnostic: bad(`@${name} needs ${want}, got ${JSON.stringify(text)}`) };
    }
    return { keyword: name, value };
  }
  if (FLAG_TAGS.has(name)) {
    if (text !== "" && text !== "true" && text !== "false") {
      return { diagnostic: bad(`@${name} takes no value (or true/false), got ${JSON.stringify(text)}`) };
    }
    return { keyword: name, value: text !== "false" };
  }
  if (name === "pattern") {
    try {
      new RegExp(text, "u");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        diagnostic: {
          code: Code.InvalidPattern,
          severity: "error",
          message: `@pattern ${JSON.stringify(text)} is not a valid regular expression with the u flag: ${reason}`,
          hint: "JSON Schema patterns are ECMAScript regular expressions in unicode mode; escape literal braces and slashes",
        },
      };
    }
    return { keyword: "pattern", value: text };
  }
  if (name === "format") {
    if (!KNOWN_FORMATS.has(text)) {
      return {
        diagnostic: bad(
          `@format ${JSON.stringify(text)} is not a known format`,
          `known formats: ${[...KNOWN_FORMATS].join(", ")}`,
        ),
      };
    }
    return { keyword: "format", value: text };
  }
  // @default and @examples take JSON; anything else is taken as a string.
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {}
  if (name === "examples") return { keyword: "examples", value: Array.isArray(value) ? value : [value] };
  return { keyword: name, value };
}

function bad(message: string, hint?: string): Omit<Diagnostic, "file" | "line" | "column"> {
  return hint === undefined
    ? { code: Code.BadTagValue, severity: "error", message }
    : { code: Code.BadTagValue, severity: "error", message, hint };
}

/** `5s` → 5000, `250ms` → 250, `2m` → 120000. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(text);
  if (match === null) return undefined;
  const n = Number(match[1]);
  const ms = match[2] === "ms" ? n : match[2] === "s" ? n * 1000 : n * 60_000;
  return ms > 0 ? Math.round(ms) : undefined;
}

export function isConstraintTag(name: string): boolean {
  return CONSTRAINT_TAGS.has(name);
}

export function isKindTag(name: string): boolean {
  return (KIND_TAGS as readonly string[]).includes(name);
}

/** A tag nobody defined: most often prose with an @ that JSDoc read as a tag. */
export function unknownTag(tag: DocTag): Omit<Diagnostic, "file" | "line" | "column"> | undefined {
  if (KNOWN_TAGS.has(tag.name)) return undefined;
  return {
    code: Code.UnknownTag,
    severity: "warning",
    message: `unknown tag @${tag.name}; the text after it is not part of the description`,
    hint: `if "@${tag.name}" is prose, write it without the @ or as \`@${tag.name}\` in backquotes`,
  };
}

export type { Location };
