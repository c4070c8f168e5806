// The TypeScript side of the compiler: reads the project's tsconfig with the pinned TypeScript
// (never the project's own), maps `fastmcp-ts` to this package so handlers and runtime agree, and
// keeps one caching compiler host so that rebuilds reuse parsed files (and `oldProgram`).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { ts } from "./ts.js";

/** This package's root (dist/compiler/program.js → ../..). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Project {
  readonly dir: string;
  readonly options: ts.CompilerOptions;
  readonly rootNames: readonly string[];
}

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
};

/** Reads `<dir>/tsconfig.json` if there is one; otherwise every .ts file under `<dir>/src`. */
/**
 * `include`: globs (relative to the project) that replace the tsconfig's file list as the roots.
 * Generated and output directories are never roots.
 */
export function readProject(dir: string, include?: readonly string[]): StageResult<Project | undefined> {
  const projectDir = resolve(dir);
  const configPath = join(projectDir, "tsconfig.json");
  let options: ts.CompilerOptions;
  let rootNames: string[];
  const diagnostics: Diagnostic[] = [];
  if (existsSync(configPath)) {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (read.error) return { value: undefined, diagnostics: [fromTs(read.error, projectDir)] };
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, configPath);
    for (const error of parsed.errors) diagnostics.push(fromTs(error, projectDir));
    options = parsed.options;
    rootNames = parsed.fileNames;
  } else {
    options = { ...DEFAULT_OPTIONS };
    rootNames = listSources(join(projectDir, "src"));
  }
  if (include !== undefined) {
    const excluded = ["**/node_modules/**", "**/.fastmcp/**", "**/*.d.ts", "**/*.d.mts", "**/*.d.cts"];
    rootNames = ts.sys.readDirectory(projectDir, [".ts", ".tsx", ".mts", ".cts"], excluded, [...include]);
  }
  // The runtime this compiler belongs to, whatever the project has installed.
  const runtimeTypes = join(PACKAGE_ROOT, "dist");
  options = {
    ...options,
    noEmit: true,
    // Emit-only settings that noEmit makes contradictory; dropping them changes no type check.
    declaration: undefined,
    declarationMap: undefined,
    emitDeclarationOnly: undefined,
    isolatedDeclarations: undefined,
    composite: undefined,
    incremental: undefined,
    tsBuildInfoFile: undefined,
    paths: {
      ...options.paths,
      "fastmcp-ts": [join(runtimeTypes, "index.d.ts")],
      "fastmcp-ts/runtime": [join(runtimeTypes, "runtime", "index.d.ts")],
      "fastmcp-ts/stdio": [join(runtimeTypes, "runtime", "stdio.d.ts")],
      "fastmcp-ts/main": [join(runtimeTypes, "runtime", "main.d.ts")],
    },
  };
  if (rootNames.length === 0) {
    diagnostics.push({
      code: Code.NoEntries,
      severity: "error",
      message: `no TypeScript sources found in ${dir}`,
    });
  }
  return { value: { dir: projectDir, options, rootNames: rootNames.sort() }, diagnostics };
}

function listSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules" && !name.startsWith(".")) out.push(...listSources(path));
    } else if (/\.([mc]?ts|tsx)$/.test(name) && !/\.d\.[mc]?ts$/.test(name)) {
      out.push(path);
    }
  }
  return out;
}

/** A source file of the project itself (not a library, not a declaration file). */
/**
 * A source file of the program that is the project's own code: not a declaration file and not a
 * dependency. Like tsc, this includes files outside the directory that the project imports.
 */
export function isProjectFile(file: ts.SourceFile, _projectDir: string): boolean {
  return !file.isDeclarationFile && !file.fileName.includes("/node_modules/");
}

export function projectPath(projectDir: string, fileName: string): string {
  return relative(projectDir, fileName).split(sep).join("/");
}

/** A TypeScript diagnostic in our shape (`TS2304`), with a project-relative location. */
export function fromTs(d: ts.Diagnostic, projectDir: string): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  const severity = d.category === ts.DiagnosticCategory.Warning ? "warning" : "error";
  if (d.file === undefined || d.start === undefined) return { code: `TS${d.code}`, severity, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return {
    code: `TS${d.code}`,
    severity,
    message,
    file: projectPath(projectDir, d.file.fileName),
    line: line + 1,
    column: character + 1,
    length: d.length,
  };
}

/**
 * A compiler host that caches files (text and parse) across programs and builds, and can append
 * text to a file in memory: the synthetic declarations the schema stage reads. Handing the same
 * SourceFile objects to the next program is what lets TypeScript reuse them (`oldProgram`).
 */
export class CachingHost {
  /**
   * Library files (TypeScript's lib and anything under node_modules) are taken not to change while
   * the process runs, so every build in it shares their parse: most of a cold program's work.
   */
  private static readonly libraries = new Map<string, ts.SourceFile>();
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, ts.SourceFile>();
  private readonly base: ts.CompilerHost;
  /** Project files parsed so far (library files excluded): a rebuild parses only what changed. */
  parses = 0;

  constructor(options: ts.CompilerOptions) {
    this.base = ts.createCompilerHost(options, true);
  }

  /** Forgets a file that changed on disk. */
  invalidate(fileName: string): void {
    this.texts.delete(fileName);
  }

  /** A host for one program; `appended` adds text to the end of some files. */
  host(appended: ReadonlyMap<string, string> = new Map()): ts.CompilerHost {
    return {
      ...this.base,
      getSourceFile: (fileName, languageVersion) => {
        const library = isLibrary(fileName);
        const format = typeof languageVersion === "object" ? languageVersion.impliedNodeFormat : undefined;
        const libraryKey = `${fileName}\0${format}`;
        if (library) {
          const shared = CachingHost.libraries.get(libraryKey);
          if (shared !== undefined) return shared;
        }
        let disk = this.texts.get(fileName);
        if (disk === undefined) {
          disk = this.base.readFile(fileName);
          if (disk === undefined) return undefined;
          this.texts.set(fileName, disk);
        }
        const extra = appended.get(fileName);
        const key = extra === undefined ? fileName : `${fileName}\0synthetic`;
        const text = extra === undefined ? disk : disk + extra;
        const cached = this.parsed.get(key);
        if (cached !== undefined && cached.text === text) return cached;
        const source = ts.createSourceFile(fileName, text, languageVersion, true);
        // Builder programs (incremental diagnostics) compare files by version, as watch hosts set it.
        (source as ts.SourceFile & { version?: string }).version = createHash("sha1")
          .update(text)
          .digest("base64");
        if (library) CachingHost.libraries.set(libraryKey, source);
        else {
          this.parsed.set(key, source);
          this.parses++;
        }
        return source;
      },
    };
  }
}

const LIBRARY_DIR = dirname(ts.getDefaultLibFilePath({}));

function isLibrary(fileName: string): boolean {
  return fileName.startsWith(LIBRARY_DIR) || fileName.includes("/node_modules/");
}
