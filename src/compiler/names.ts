// Names across the whole project: MCP naming rules (SEP-986) and uniqueness, with both places of
// a duplicate named. Also fixes the order of entries, so output never depends on file order.
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import type { EntryModel } from "./model.js";

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KIND_ORDER = ["tool", "resource", "resourceTemplate", "prompt"] as const;

/** The key that must be unique within a kind: the name, or the URI for resources. */
function keyOf(entry: EntryModel): string {
  return entry.kind === "resource"
    ? entry.uri
    : entry.kind === "resourceTemplate"
      ? entry.uriTemplate
      : entry.name;
}

function label(entry: EntryModel): string {
  const noun = {
    tool: "tool",
    resource: "resource",
    resourceTemplate: "resource template",
    prompt: "prompt",
  }[entry.kind];
  return `${noun} ${JSON.stringify(keyOf(entry))}`;
}

export function checkNames(entries: readonly EntryModel[]): StageResult<EntryModel[]> {
  const diagnostics: Diagnostic[] = [];
  const sorted = [...entries].sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      compare(keyOf(a), keyOf(b)) ||
      compare(a.location.file, b.location.file) ||
      a.location.line - b.location.line,
  );
  for (const entry of sorted) {
    if ((entry.kind === "tool" || entry.kind === "prompt") && !NAME.test(entry.name)) {
      diagnostics.push({
        code: Code.InvalidName,
        severity: "error",
        message: `${entry.kind} name ${JSON.stringify(entry.name)} is not 1-64 characters of A-Z a-z 0-9 _ - .`,
        hint: `name it in the tag, e.g. @${entry.kind} ${entry.name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64) || "my_tool"}`,
        ...entry.location,
      });
    }
  }
  const seen = new Map<string, EntryModel>();
  for (const entry of sorted) {
    const key = `${entry.kind === "resourceTemplate" ? "resource" : entry.kind}\0${keyOf(entry)}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, entry);
      continue;
    }
    for (const [here, there] of [
      [entry, first],
      [first, entry],
    ] as const) {
      diagnostics.push({
        code: Code.DuplicateName,
        severity: "error",
        message: `${label(here)} is defined twice: here and at ${there.location.file}:${there.location.line}:${there.location.column}`,
        hint: "give one of them another name in its tag",
        ...here.location,
      });
    }
  }
  return { value: sorted, diagnostics };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
