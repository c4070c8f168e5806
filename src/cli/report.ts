// How commands show a build to people: diagnostics as tsc prints them (paths relative to the
// working directory, so editors can jump to them) and a one-line count of what was found.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { BuildResult } from "../compiler/build.js";
import { type Diagnostic, formatDiagnostic, summarise } from "../compiler/diagnostics.js";

export function printDiagnostics(
  projectDir: string,
  diagnostics: readonly Diagnostic[],
  err: (text: string) => void,
): void {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(projectDir, file), "utf8");
    } catch {
      return undefined;
    }
  };
  for (const d of diagnostics) {
    const shown =
      d.file === undefined ? d : { ...d, file: relative(process.cwd(), join(projectDir, d.file)) || d.file };
    err(`${formatDiagnostic(shown, () => (d.file === undefined ? undefined : read(d.file)))}\n`);
  }
  if (diagnostics.length > 0) err(`${summarise(diagnostics)}\n`);
}

/** `9 tools, 1 resource, 1 resource template, 2 prompts`. */
export function countEntries(result: BuildResult): string {
  const count = (kind: string, noun: string) => {
    const n = result.entries.filter((e) => e.kind === kind).length;
    return n === 0 ? [] : [`${n} ${noun}${n === 1 ? "" : "s"}`];
  };
  const found = [
    ...count("tool", "tool"),
    ...count("resource", "resource"),
    ...count("resourceTemplate", "resource template"),
    ...count("prompt", "prompt"),
  ];
  return found.length === 0 ? "nothing" : found.join(", ");
}
