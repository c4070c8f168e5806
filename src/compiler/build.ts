// The pipeline: scan → schema → names → validators → emit → bundle, each stage a function that
// returns a value and diagnostics. A Builder keeps the compiler host and the last programs, so a
// rebuild (fastmcp dev) re-parses and re-checks only what changed.
import { join, resolve } from "node:path";
import { bundle } from "./bundle.js";
import { type ConfigOverrides, readConfig } from "./config.js";
import { Code, type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics.js";
import { emit } from "./emit.js";
import { writeIfChanged } from "./files.js";
import { manifest } from "./manifest.js";
import type { EntryModel, ProjectModel } from "./model.js";
import { checkNames } from "./names.js";
import { CachingHost, fromTs, isProjectFile, type Project, readProject } from "./program.js";
import { scan } from "./scan.js";
import { generateSchemas } from "./schema.js";
import { ts } from "./ts.js";
import { compileValidators } from "./validators.js";

export interface BuildOptions {
  /** Settings from the command line; they override fastmcp.config.json (see config.ts). */
  readonly overrides?: ConfigOverrides;
  /** Run every stage but write nothing (used by tests of diagnostics). */
  readonly check?: boolean;
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
}

export const GENERATED_DIR = ".fastmcp";

export class Builder {
  private host: CachingHost | undefined;
  private lastProgram: ts.Program | undefined;

  constructor(readonly dir: string) {}

  /** Tells the next build that a file changed on disk. */
  invalidate(fileName: string): void {
    this.host?.invalidate(fileName);
  }

  async build(options: BuildOptions = {}): Promise<BuildResult> {
    const started = performance.now();
    const diagnostics: Diagnostic[] = [];
    const done = (extra: Partial<BuildResult> = {}): BuildResult => {
      const sorted = sortDiagnostics(diagnostics);
      return {
        ok: !hasErrors(sorted),
        diagnostics: sorted,
        entries: [],
        written: [],
        ...extra,
        durationMs: performance.now() - started,
      };
    };
    const config = readConfig(resolve(this.dir), options.overrides);
    diagnostics.push(...config.diagnostics);
    const read = readProject(this.dir, config.value.include);
    diagnostics.push(...read.diagnostics);
    const project = read.value;
    // A bad setting does not stop the build here: every problem is reported together.
    if (project === undefined || hasErrors(read.diagnostics)) return done();

    this.host ??= new CachingHost(project.options);
    const program = ts.createProgram(project.rootNames, project.options, this.host.host(), this.lastProgram);
    diagnostics.push(...typeDiagnostics(program, project));
    const scanned = scan(program, project.dir);
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
    this.lastProgram = program;
    const schemas = generateSchemas(withSynthetic, scanned.value);
    diagnostics.push(...schemas.diagnostics);
    const named = checkNames(schemas.value);
    diagnostics.push(...named.diagnostics);
    if (named.value.length === 0 && !hasErrors(diagnostics)) {
      diagnostics.push({
        code: "FMCP4002",
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
    const validators = compileValidators(model.entries);
    diagnostics.push(...validators.diagnostics);
    if (hasErrors(diagnostics)) return done({ entries: model.entries });
    if (options.check === true) return done({ entries: model.entries });

    const genDir = join(project.dir, GENERATED_DIR);
    const written: string[] = [];
    const write = (path: string, content: string | Uint8Array) => {
      if (writeIfChanged(path, content)) written.push(path);
    };
    const { requestTimeoutMs, maxConcurrency } = config.value;
    const serverOptions = {
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    };
    const files = emit({ model, validators: validators.value.names, genDir, serverOptions });
    if (validators.value.names.size > 0) files.set("validators.cjs", validators.value.code);
    for (const [name, content] of files) write(join(genDir, name), content);

    const bundled = await bundle(project.dir, join(genDir, "server.ts"));
    diagnostics.push(...bundled.diagnostics);
    if (bundled.value === undefined) return done({ entries: model.entries, written });
    const outDir = join(project.dir, config.value.outDir);
    const serverPath = join(outDir, "server.mjs");
    const manifestPath = join(outDir, "manifest.json");
    write(serverPath, bundled.value);
    write(manifestPath, manifest(model));
    return done({ entries: model.entries, serverPath, manifestPath, written });
  }
}

/** Type errors fail the build like tsc: every project file, not just the ones with handlers. */
function typeDiagnostics(program: ts.Program, project: Project): Diagnostic[] {
  const out = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) =>
    fromTs(d, project.dir),
  );
  for (const file of program.getSourceFiles()) {
    if (!isProjectFile(file, project.dir)) continue;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      out.push(fromTs(d, project.dir));
    }
  }
  return out;
}
