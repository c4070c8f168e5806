// The scan stage: finds the tagged functions of the project, checks each against the rules of
// DESIGN §1 with the type checker, and describes each usable one as an EntryDraft: names, docs,
// parameters, the handler's module and export, and the synthetic declarations for its schemas.

import type { BuildCache } from "./build-cache.js";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { describe } from "./entry-tags.js";
import type { DocTag } from "./jsdoc.js";
import type { Handler, Location, Parameter } from "./model.js";
import { type PropertyTags, readParameters } from "./params.js";
import { isProjectFile, projectPath } from "./program.js";
import { findTagged, type TaggedFile, type TaggedFunction, unwrap } from "./tagged.js";
import { isConstraintTag, isKindTag, unknownTag } from "./tags.js";
import { ts } from "./ts.js";

export type EntryKind = "tool" | "resource" | "resourceTemplate" | "prompt";

/** Everything the later stages need about one entry, before its schemas exist. */
export interface EntryDraft {
  readonly kind: EntryKind;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly timeoutMs?: number;
  readonly location: Location;
  readonly handler: Handler;
  readonly annotations?: Record<string, boolean>;
  /** Structured output: the synthetic alias names the type; wrapped when it is not an object. */
  readonly wrapResult: boolean;
  /** The structured result may be null or undefined (`{ result: null }`). */
  readonly nullableResult: boolean;
  readonly uri?: string;
  readonly mimeType?: string;
  /** Declarations appended to the handler's module so the schema generator can read the types. */
  readonly synthetic: string;
  /** Tags that name a property of the input (descriptions and constraints of a destructured input). */
  readonly propertyTags: readonly PropertyTags[];
}

export interface Scanner {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly projectDir: string;
  readonly diagnostics: Diagnostic[];
  /** Reports at `node` (project-relative location). */
  report(node: ts.Node, d: Omit<Diagnostic, "file" | "line" | "column" | "length">): void;
  locate(node: ts.Node): Location;
}

/** Scan results kept across builds: a file's entries are reused while `keyOf(file)` is unchanged. */
export interface ScanCache {
  /** What the file's types depend on (its version and its dependencies'). */
  keyOf(file: ts.SourceFile): string;
  readonly store: BuildCache<ScannedFile>;
}

export interface ScannedFile {
  readonly drafts: readonly EntryDraft[];
  readonly diagnostics: readonly Diagnostic[];
}

/** findTagged by syntax alone: the same SourceFile object (an unchanged file) gives the same answer. */
const taggedFiles = new WeakMap<ts.SourceFile, TaggedFile>();
function taggedIn(file: ts.SourceFile): TaggedFile {
  let found = taggedFiles.get(file);
  if (found === undefined) {
    found = findTagged(file);
    taggedFiles.set(file, found);
  }
  return found;
}

export function scan(program: ts.Program, projectDir: string, cache?: ScanCache): StageResult<EntryDraft[]> {
  const checker = program.getTypeChecker();
  const diagnostics: Diagnostic[] = [];
  const locate = (node: ts.Node): Location => {
    const file = node.getSourceFile();
    const start = node.getStart(file);
    const { line, character } = file.getLineAndCharacterOfPosition(start);
    return {
      file: projectPath(projectDir, file.fileName),
      line: line + 1,
      column: character + 1,
      length: node.getEnd() - start,
    };
  };
  const scanner: Scanner = {
    program,
    checker,
    projectDir,
    diagnostics,
    locate,
    report: (node, d) => diagnostics.push({ ...d, ...locate(node) }),
  };
  const files = program.getSourceFiles().filter((f) => isProjectFile(f, projectDir));
  const exportNames = collectExportNames(checker, files);
  const drafts: EntryDraft[] = [];
  for (const file of files) {
    const { functions, stray } = taggedIn(file);
    if (functions.length === 0 && stray.length === 0) continue;
    // The same file, dependencies and export names: the same entries and diagnostics.
    const exports = functions.map((tagged) => exportNames.get(tagged.fn) ?? []);
    const key =
      cache === undefined
        ? undefined
        : `${cache.keyOf(file)}\0${JSON.stringify(exports.map((list) => list.map((e) => [e.name, e.file.fileName])))}`;
    const hit = key === undefined ? undefined : cache?.store.get(key);
    if (hit !== undefined) {
      drafts.push(...hit.drafts);
      diagnostics.push(...hit.diagnostics);
      continue;
    }
    const firstDraft = drafts.length;
    const firstDiagnostic = diagnostics.length;
    functions.forEach((tagged, index) => {
      const draft = scanFunction(scanner, tagged, exports[index] ?? []);
      if (draft !== undefined) drafts.push(draft);
    });
    for (const tag of stray) {
      const { line, character } = file.getLineAndCharacterOfPosition(tag.start);
      diagnostics.push({
        code: Code.NotAFunction,
        severity: "error",
        message: `@${tag.name} must be in the JSDoc right above a function; here it tags nothing the server can call`,
        hint: "tag the function itself: export async function f() {} or export const f = async () => {}",
        file: projectPath(projectDir, file.fileName),
        line: line + 1,
        column: character + 1,
        length: tag.length,
      });
    }
    if (key !== undefined) {
      cache?.store.set(key, {
        drafts: drafts.slice(firstDraft),
        diagnostics: diagnostics.slice(firstDiagnostic),
      });
    }
  }
  cache?.store.sweep();
  return { value: drafts, diagnostics };
}

interface ExportName {
  readonly name: string;
  readonly file: ts.SourceFile;
}

/** Every name under which a project module exports each function (aliases and re-exports resolved). */
function collectExportNames(
  checker: ts.TypeChecker,
  files: readonly ts.SourceFile[],
): Map<ts.Node, ExportName[]> {
  const names = new Map<ts.Node, ExportName[]>();
  for (const file of files) {
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      // `export type { f }` makes no value the server could import.
      const typeOnly = (exported.getDeclarations() ?? []).some(
        (d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
      );
      if (typeOnly) continue;
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of target.getDeclarations() ?? []) {
        const fn =
          ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined
            ? unwrap(declaration.initializer)
            : declaration;
        if (fn === undefined) continue;
        const list = names.get(fn) ?? [];
        list.push({ name: exported.getName(), file });
        names.set(fn, list);
      }
    }
  }
  return names;
}

function scanFunction(
  s: Scanner,
  tagged: TaggedFunction,
  exports: readonly ExportName[],
): EntryDraft | undefined {
  const { fn, doc, kinds } = tagged;
  const at = tagged.nameNode ?? fn;
  const kindTag = kinds[0] as DocTag;
  for (const tag of doc.tags) {
    const unknown = unknownTag(tag);
    if (unknown !== undefined) s.report(tag.node.tagName, unknown);
  }
  if (kinds.length > 1) {
    const names = kinds.map((k) => `@${k.name}`).join(", ");
    s.report(kinds[1]?.node ?? at, {
      code: Code.SeveralKinds,
      severity: "error",
      message: `a function can be one thing; this one is tagged ${names}`,
    });
    return undefined;
  }
  const refusal = placementProblem(tagged);
  if (refusal !== undefined) {
    s.report(at, refusal);
    return undefined;
  }
  if (ts.isFunctionDeclaration(fn) && hasOverloads(s.checker, fn)) {
    s.report(at, {
      code: Code.Overload,
      severity: "error",
      message: `@${kindTag.name} ${tagged.nameNode?.text} is overloaded; a handler needs one signature`,
      hint: "merge the overloads into one signature with optional parameters or a union type",
    });
    return undefined;
  }
  if (ts.isFunctionDeclaration(fn) && fn.body === undefined) {
    s.report(at, {
      code: Code.NotAFunction,
      severity: "error",
      message: `@${kindTag.name} ${tagged.nameNode?.text ?? ""} has no body to run (a declaration only)`,
      hint: "tag a function with an implementation",
    });
    return undefined;
  }
  if (fn.typeParameters !== undefined && fn.typeParameters.length > 0) {
    s.report(fn.typeParameters[0] as ts.Node, {
      code: Code.Generic,
      severity: "error",
      message:
        `@${kindTag.name} ${tagged.nameNode?.text ?? ""} is generic; a schema needs concrete types`.replace(
          "  ",
          " ",
        ),
      hint: "replace the type parameter with the concrete type the handler accepts",
    });
    return undefined;
  }
  const handlerExport = chooseExport(s, tagged, exports);
  if (handlerExport === undefined) return undefined;
  const kind = kindOf(kindTag);
  const params = readParameters(s, tagged, kind);
  if (params === undefined) return undefined;
  const base = describe(s, tagged, kind);
  if (base.failed) return undefined;
  const localName = tagged.nameNode?.text ?? "default";
  const name =
    base.explicitName ?? (handlerExport.entryName === "default" ? localName : handlerExport.entryName);
  const handler: Handler = {
    modulePath: fn.getSourceFile().fileName,
    exportName: handlerExport.moduleExport,
    arity: params.arity,
    ...(params.contextPosition === undefined ? {} : { contextPosition: params.contextPosition }),
    params: params.list,
    destructured: params.destructured,
    inputType: `__fastmcp_in_${localName}`,
    ...(base.output?.structured ? { outputType: `__fastmcp_out_${localName}` } : {}),
  };
  let synthetic = params.synthetic(handler.inputType);
  if (base.output?.structured) {
    const texts = base.output.types.map((t) =>
      s.checker.typeToString(t, fn, ts.TypeFormatFlags.NoTruncation),
    );
    synthetic += `export type ${handler.outputType} = ${texts.join(" | ")};\n`;
  }
  const uri = kindTag.text.split(/\s+/)[0] ?? "";
  const draft: EntryDraft = {
    kind: kind === "resource" && uri.includes("{") ? "resourceTemplate" : kind,
    name: kind === "resource" ? localName : name,
    location: s.locate(at),
    handler,
    wrapResult: base.output?.structured === true && base.output.wrap,
    nullableResult: base.output?.structured === true && base.output.nullable,
    synthetic,
    propertyTags: params.propertyTags,
    ...(base.title === undefined ? {} : { title: base.title }),
    ...(doc.summary === undefined ? {} : { description: doc.summary }),
    ...(base.timeoutMs === undefined ? {} : { timeoutMs: base.timeoutMs }),
    ...(base.annotations === undefined ? {} : { annotations: base.annotations }),
    ...(kind === "resource" ? { uri } : {}),
    ...(base.mimeType === undefined ? {} : { mimeType: base.mimeType }),
  };
  return draft;
}

function kindOf(tag: DocTag): "tool" | "resource" | "prompt" {
  return tag.name as "tool" | "resource" | "prompt";
}

function placementProblem(tagged: TaggedFunction): Omit<Diagnostic, "file" | "line" | "column"> | undefined {
  const kind = `@${tagged.kinds[0]?.name}`;
  switch (tagged.placement) {
    case "module":
      return undefined;
    case "anonymous-default":
      return {
        code: Code.UnnamedDefault,
        severity: "error",
        message: `${kind} on a default export without a name`,
        hint: "give the function a name (export default function search() {}) or export it by name",
      };
    case "class-method":
      return {
        code: Code.ClassMethod,
        severity: "error",
        message: `${kind} on a method; handlers are exported functions`,
        hint: "export a function that calls the method",
      };
    case "nested":
      return {
        code: Code.NotExported,
        severity: "error",
        message: `${kind} on a function inside another scope, which no export can reach`,
        hint: "move it to the top level of the module and export it",
      };
    default:
      return tagged.placement satisfies never;
  }
}

function hasOverloads(checker: ts.TypeChecker, fn: ts.FunctionDeclaration): boolean {
  const symbol = fn.name === undefined ? undefined : checker.getSymbolAtLocation(fn.name);
  return (symbol?.getDeclarations() ?? []).filter(ts.isFunctionDeclaration).length > 1;
}

/**
 * The module export the generated code imports, and the name the entry gets: a re-export from
 * another module is a deliberate rename and wins; otherwise the declaring module's own name.
 */
function chooseExport(
  s: Scanner,
  tagged: TaggedFunction,
  exports: readonly ExportName[],
): { moduleExport: string; entryName: string } | undefined {
  const at = tagged.nameNode ?? tagged.fn;
  const home = tagged.fn.getSourceFile();
  const own = [...new Set(exports.filter((e) => e.file === home).map((e) => e.name))].sort();
  if (own.length === 0) {
    s.report(at, {
      code: Code.NotExported,
      severity: "error",
      message: `@${tagged.kinds[0]?.name} ${tagged.nameNode?.text ?? ""} is not exported`.replace("  ", " "),
      hint: "export it (export async function ...) so the server can import it",
    });
    return undefined;
  }
  const elsewhere = [...new Set(exports.filter((e) => e.file !== home).map((e) => e.name))].filter(
    (n) => n !== "default",
  );
  const candidates = elsewhere.length > 0 ? elsewhere : own.filter((n) => n !== "default");
  const explicit = tagged.kinds[0]?.name !== "resource" && (tagged.kinds[0]?.text ?? "") !== "";
  if (candidates.length > 1 && !explicit) {
    s.report(at, {
      code: Code.SeveralNames,
      severity: "error",
      message: `exported under several names (${candidates.join(", ")}); which one names the ${tagged.kinds[0]?.name}?`,
      hint: `name it in the tag: @${tagged.kinds[0]?.name} ${candidates[0]}`,
    });
    return undefined;
  }
  return { moduleExport: own[0] as string, entryName: candidates[0] ?? "default" };
}

export type { Parameter };
export { isConstraintTag, isKindTag };
