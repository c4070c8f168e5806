// `fastmcp build [dir]`: runs the pipeline once and reports, for people or (--json) for machines.
import { readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Builder, type BuildResult } from "../compiler/build.js";
import { type Diagnostic, formatDiagnostic, summarise } from "../compiler/diagnostics.js";

export interface BuildCommandOptions {
  readonly json?: boolean;
  readonly outDir?: string;
  readonly requestTimeout?: string;
  readonly maxConcurrency?: string;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Returns the exit code: 0 built, 1 diagnostics with errors. */
export async function buildCommand(dir: string, options: BuildCommandOptions, io: Output): Promise<number> {
  const projectDir = resolve(dir);
  const { outDir, requestTimeout, maxConcurrency } = options;
  const result = await new Builder(projectDir).build({
    overrides: { outDir, requestTimeout, maxConcurrency },
  });
  if (options.json === true) io.out(`${JSON.stringify(jsonReport(projectDir, result), null, 2)}\n`);
  else report(projectDir, result, io);
  return result.ok ? 0 : 1;
}

function jsonReport(projectDir: string, result: BuildResult): object {
  return {
    ok: result.ok,
    server: result.serverPath === undefined ? null : relative(process.cwd(), result.serverPath),
    manifest: result.manifestPath === undefined ? null : relative(process.cwd(), result.manifestPath),
    entries: result.entries.map((e) => ({
      kind: e.kind,
      name: e.name,
      ...(e.kind === "resource"
        ? { uri: e.uri }
        : e.kind === "resourceTemplate"
          ? { uriTemplate: e.uriTemplate }
          : {}),
      source: `${e.location.file}:${e.location.line}:${e.location.column}`,
    })),
    diagnostics: result.diagnostics,
    durationMs: Math.round(result.durationMs),
    projectDir: relative(process.cwd(), projectDir) || ".",
  };
}

function report(projectDir: string, result: BuildResult, io: Output): void {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(projectDir, file), "utf8");
    } catch {
      return undefined;
    }
  };
  for (const d of result.diagnostics)
    io.err(`${formatDiagnostic(prefixed(d, projectDir), (f) => read(relative(projectDir, resolve(f))))}\n`);
  if (result.diagnostics.length > 0) io.err(`${summarise(result.diagnostics)}\n`);
  if (!result.ok) return;
  const count = (kind: string, noun: string) => {
    const n = result.entries.filter((e) => e.kind === kind).length;
    return n === 0 ? [] : [`${n} ${noun}${n === 1 ? "" : "s"}`];
  };
  const found = [
    ...count("tool", "tool"),
    ...count("resource", "resource"),
    ...count("resourceTemplate", "resource template"),
    ...count("prompt", "prompt"),
  ].join(", ");
  const files = new Set(result.entries.map((e) => e.location.file)).size;
  const server = result.serverPath as string;
  const size = (statSync(server).size / 1024).toFixed(1);
  io.out(
    `Built ${found} from ${files} file${files === 1 ? "" : "s"} in ${(result.durationMs / 1000).toFixed(2)} s\n` +
      `  server:   ${relative(process.cwd(), server)} (${size} KiB)\n` +
      `  manifest: ${relative(process.cwd(), result.manifestPath as string)}\n`,
  );
}

/** Diagnostic paths relative to the working directory, as an editor wants them. */
function prefixed(d: Diagnostic, projectDir: string): Diagnostic {
  if (d.file === undefined) return d;
  return { ...d, file: relative(process.cwd(), join(projectDir, d.file)) || d.file };
}
