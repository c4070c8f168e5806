// Diagnostics are data: every stage returns them, the CLI prints them like tsc does
// (`file:line:col - error FMCP1001: message`, a code frame, a hint), all of them, sorted.

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** `FMCPnnnn` for ours, `TSnnnn` for the type checker's. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Project-relative, with forward slashes. */
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  readonly column?: number;
  /** Characters to underline in the code frame. */
  readonly length?: number;
  readonly hint?: string;
}

export interface StageResult<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Codes by stage: 1xxx scanning the source, 2xxx types and schemas, 3xxx validators, 4xxx output, 5xxx project configuration. */
export const Code = {
  Overload: "FMCP1001",
  Generic: "FMCP1002",
  ClassMethod: "FMCP1003",
  UnnamedDefault: "FMCP1004",
  SeveralKinds: "FMCP1005",
  NotExported: "FMCP1006",
  DuplicateName: "FMCP1007",
  InvalidName: "FMCP1008",
  UnknownTag: "FMCP1009",
  TwoContexts: "FMCP1010",
  StrayTag: "FMCP1011",
  BadTagValue: "FMCP1012",
  InvalidPattern: "FMCP1013",
  TemplateMismatch: "FMCP1014",
  ParameterForm: "FMCP1015",
  MissingUri: "FMCP1016",
  SeveralNames: "FMCP1017",
  NotAFunction: "FMCP1018",
  UnsupportedType: "FMCP2001",
  UnresolvedType: "FMCP2002",
  SchemaFailed: "FMCP2003",
  StringsOnly: "FMCP2004",
  PromptReturn: "FMCP2005",
  ValidatorFailed: "FMCP3001",
  BundleFailed: "FMCP4001",
  NoEntries: "FMCP4002",
  BadConfig: "FMCP5001",
} as const;

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by file, position and code; diagnostics without a file come first. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compare(a.file ?? "", b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One diagnostic as tsc prints it with --pretty false plus a code frame:
 *
 *   src/tools.ts:12:5 - error FMCP2001: parameter "when" has type Date, which JSON cannot carry
 *
 *   12 export function at(when: Date) {}
 *                         ~~~~
 *     hint: use string with @format date-time
 */
export function formatDiagnostic(d: Diagnostic, readSource: (file: string) => string | undefined): string {
  const where =
    d.file === undefined ? "" : `${d.file}${d.line === undefined ? "" : `:${d.line}:${d.column ?? 1}`} - `;
  let out = `${where}${d.severity} ${d.code}: ${d.message}\n`;
  const text = d.file !== undefined && d.line !== undefined ? readSource(d.file) : undefined;
  const lineText = text?.split(/\r?\n/)[d.line !== undefined ? d.line - 1 : -1];
  if (lineText !== undefined && d.line !== undefined) {
    const gutter = String(d.line);
    const column = Math.max(1, d.column ?? 1);
    const width = Math.max(1, Math.min(d.length ?? 1, lineText.length - column + 1));
    out += `\n${gutter} ${lineText}\n${" ".repeat(gutter.length + column)}${"~".repeat(width)}\n`;
  }
  if (d.hint !== undefined) out += `${lineText !== undefined ? "" : "\n"}  hint: ${d.hint}\n`;
  return out;
}

/** `Found 2 errors and 1 warning in 2 files.` (or nothing when there is nothing). */
export function summarise(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return "";
  const files = new Set(diagnostics.map((d) => d.file).filter((f) => f !== undefined)).size;
  const parts = [plural(errors, "error"), ...(warnings > 0 ? [plural(warnings, "warning")] : [])];
  return `Found ${parts.join(" and ")}${files > 0 ? ` in ${plural(files, "file")}` : ""}.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
