// The pipeline: scan → schema → names → validators → emit → bundle, each stage a function that
// returns a value and diagnostics. A Builder keeps the compiler host and the last programs, so a
// rebuild (fastmcp dev) re-parses and re-checks only what changed.
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { BuildCache } from "./build-cache.js";
import { bundle, IncrementalBundler } from "./bundle.js";
import { type ConfigOverrides, readConfig } from "./config.js";
import { Code, type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics.js";
import { emit } from "./emit.js";
import { writeIfChanged } from "./files.js";
import { manifest } from "./manifest.js";
import type { EntryModel, ProjectModel } from "./model.js";
import { checkNames } from "./names.js";
import { CachingHost, fromTs, isProjectFile, type Project, readProject } from "./program.js";
import { type ScannedFile, scan } from "./scan.js";
import { generateSchemas } from "./schema.js";
import type { SchemaObject } from "./schema-json.js";
import { ts } from "./ts.js";
import { ValidatorCompiler } from "./validators.js";

export interface BuildOptions {
  /** Settings from the command line; they override fastmcp.config.json (see config.ts). */
  readonly overrides?: ConfigOverrides;
  /** Run every stage but write nothing (used by tests of diagnostics). */
  readonly check?: boolean;
  /** Told the name of each stage as it starts (for a progress display). */
  readonly progress?: (stage: string) => void;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly entries: readonly EntryModel[];
  readonly serverPath?: string;
  readonly manifestPath?: string;
  /** Files whose content changed (absolute paths). */
  readonly written: readonly string[];
  readonly durationMs: number;
  /** What this build did afresh; a rebuild after one edit parses, scans and compiles little. */
  readonly work: BuildWork;
}

export interface BuildWork {
  /** Project files parsed (a file with handlers counts twice: as written and with its synthetic declarations). */
  readonly parsedFiles: number;
  /** Files whose handlers were scanned with the type checker. */
  readonly scannedFiles: number;
  /** JSON Schemas generated (input and output schemas count separately). */
  readonly generatedSchemas: number;
  /** Input validators compiled. */
  readonly compiledValidators: number;
}

export const GENERATED_DIR = ".fastmcp";

export interface BuilderOptions {
  /** Keep compilers warm between builds (fastmcp dev): call dispose() when done. */
  readonly incremental?: boolean;
}

export class Builder {
  private host: CachingHost | undefined;
  private last: ts.SemanticDiagnosticsBuilderProgram | undefined;
  private readonly validators = new ValidatorCompiler();
  private readonly schemas = new BuildCache<SchemaObject>();
  private readonly scans = new BuildCache<ScannedFile>();
  private readonly bundler: IncrementalBundler | undefined;

  constructor(
    readonly dir: string,
    options: BuilderOptions = {},
  ) {
    if (options.incremental === true) this.bundler = new IncrementalBundler();
  }

  /** Releases what an incremental builder keeps running (esbuild's service). */
  async dispose(): Promise<void> {
    await this.bundler?.dispose();
  }

  /** Tells the next build that a file changed on disk. */
  invalidate(fileName: string): void {
    this.host?.invalidate(fileName);
  }

  async build(options: BuildOptions = {}): Promise<BuildResult> {
    const started = performance.now();
    const diagnostics: Diagnostic[] = [];
    const counters = () => ({
      parsedFiles: this.host?.parses ?? 0,
      scannedFiles: this.scans.misses,
      generatedSchemas: this.schemas.misses,
      compiledValidators: this.validators.compilations,
    });
    const before = counters();
    const done = (extra: Partial<BuildResult> = {}): BuildResult => {
      const sorted = sortDiagnostics(diagnostics);
      const after = counters();
      return {
        ok: !hasErrors(sorted),
        diagnostics: sorted,
        entries: [],
        written: [],
        ...extra,
        durationMs: performance.now() - started,
        work: {
          parsedFiles: after.parsedFiles - before.parsedFiles,
          scannedFiles: after.scannedFiles - before.scannedFiles,
          generatedSchemas: after.generatedSchemas - before.generatedSchemas,
          compiledValidators: after.compiledValidators - before.compiledValidators,
        },
      };
    };
    const stage = options.progress ?? (() => {});
    stage("reading the project");
    const config = readConfig(resolve(this.dir), options.overrides);
    diagnostics.push(...config.diagnostics);
    const read = readProject(this.dir, config.value.include);
    diagnostics.push(...read.diagnostics);
    const project = read.value;
    // A bad setting does not stop the build here: every problem is reported together.
    if (project === undefined || hasErrors(read.diagnostics)) return done();

    this.host ??= new CachingHost(project.options);
    stage("checking types");
    // A builder program remembers which files' diagnostics a change can affect.
    const builder = ts.createSemanticDiagnosticsBuilderProgram(
      project.rootNames,
      project.options,
      this.host.host(),
      this.last,
    );
    const program = builder.getProgram();
    diagnostics.push(...typeDiagnostics(builder, project));
    stage("finding handlers");
    const fingerprint = fingerprints(builder);
    const scanned = scan(program, project.dir, {
      store: this.scans,
      keyOf: (file) => fingerprint(file.fileName),
    });
    diagnostics.push(...scanned.diagnostics);

    // The same program plus the synthetic declarations; unchanged files are reused.
    const appended = new Map<string, string>();
    for (const draft of scanned.value) {
      appended.set(
        draft.handler.modulePath,
        `${appended.get(draft.handler.modulePath) ?? "\n"}${draft.synthetic}`,
      );
    }
    const withSynthetic = ts.createProgram(
      project.rootNames,
      project.options,
      this.host.host(appended),
      program,
    );
    this.last = builder;
    stage("deriving schemas");
    const schemas = generateSchemas(withSynthetic, scanned.value, {
      store: this.schemas,
      keyOf: (draft) => `${fingerprint(draft.handler.modulePath)}\0${draft.synthetic}`,
    });
    diagnostics.push(...schemas.diagnostics);
    const named = checkNames(schemas.value);
    diagnostics.push(...named.diagnostics);
    if (named.value.length === 0 && !hasErrors(diagnostics)) {
      diagnostics.push({
        code: Code.NoEntries,
        severity: "error",
        message: "found no @tool, @resource or @prompt in the project",
        hint: "tag an exported function, e.g. /** Adds two numbers. @tool */",
      });
    }
    if (hasErrors(diagnostics)) return done({ entries: named.value });

    const { name, version, instructions } = config.value;
    const model: ProjectModel = {
      server: { name, version, ...(instructions === undefined ? {} : { instructions }) },
      entries: named.value,
    };
    stage("compiling validators");
    const validators = this.validators.compile(model.entries);
    diagnostics.push(...validators.diagnostics);
    if (hasErrors(diagnostics)) return done({ entries: model.entries });
    if (options.check === true) return done({ entries: model.entries });

    const genDir = join(project.dir, GENERATED_DIR);
    const written: string[] = [];
    const write = (path: string, content: string | Uint8Array) => {
      if (writeIfChanged(path, content)) written.push(path);
    };
    const { requestTimeoutMs, maxConcurrency, maxMessageBytes, maxResponseBytes, http } = config.value;
    const serverOptions = {
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
      ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
      ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
      ...(http === undefined ? {} : { http }),
    };
    const files = emit({ model, validators: validators.value.names, genDir, serverOptions });
    if (validators.value.names.size > 0) files.set("validators.cjs", validators.value.code);
    for (const [name, content] of files) write(join(genDir, name), content);

    stage("bundling");
    const entry = join(genDir, "server.ts");
    const bundled =
      this.bundler === undefined
        ? await bundle(project.dir, entry)
        : await this.bundler.bundle(project.dir, entry);
    diagnostics.push(...bundled.diagnostics);
    if (bundled.value === undefined) return done({ entries: model.entries, written });
    const outDir = resolve(project.dir, config.value.outDir);
    const serverPath = join(outDir, "server.mjs");
    const manifestPath = join(outDir, "manifest.json");
    write(serverPath, bundled.value);
    write(manifestPath, manifest(model));
    return done({ entries: model.entries, serverPath, manifestPath, written });
  }
}

/**
 * What a module's types can depend on: the versions of it, of every file it imports (directly or
 * not) and of every global script (a .d.ts without imports declares types for all modules).
 * Memoised for one build.
 */
function fingerprints(builder: ts.SemanticDiagnosticsBuilderProgram): (modulePath: string) => string {
  const program = builder.getProgram();
  const versionOf = (file: ts.SourceFile | undefined) =>
    (file as { version?: string } | undefined)?.version ?? "";
  const globals = createHash("sha1");
  for (const file of program.getSourceFiles()) {
    if (!ts.isExternalModule(file)) globals.update(`${file.fileName}\0${versionOf(file)}\0`);
  }
  const globalsHash = globals.digest("base64");
  const known = new Map<string, string>();
  return (modulePath) => {
    let fingerprint = known.get(modulePath);
    if (fingerprint !== undefined) return fingerprint;
    const file = program.getSourceFile(modulePath);
    if (file === undefined) return "";
    const hash = createHash("sha1").update(globalsHash);
    for (const name of [...builder.getAllDependencies(file)].sort()) {
      hash.update(`${name}\0${versionOf(program.getSourceFile(name))}\0`);
    }
    fingerprint = hash.digest("base64");
    known.set(modulePath, fingerprint);
    return fingerprint;
  };
}

/** Type errors fail the build like tsc: every project file, not just the ones with handlers. */
function typeDiagnostics(builder: ts.SemanticDiagnosticsBuilderProgram, project: Project): Diagnostic[] {
  const program = builder.getProgram();
  const out = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) =>
    fromTs(d, project.dir),
  );
  for (const file of program.getSourceFiles()) {
    if (!isProjectFile(file, project.dir)) continue;
    for (const d of [...program.getSyntacticDiagnostics(file), ...builder.getSemanticDiagnostics(file)]) {
      out.push(fromTs(d, project.dir));
    }
  }
  return out;
}
