// `fastmcp build [dir]`: runs the pipeline once and reports, for people or (--json) for machines.
import { statSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Writable } from "node:stream";
import { Builder, type BuildResult } from "../compiler/build.js";
import type { Output } from "./output.js";
import { terminalProgress } from "./progress.js";
import { countEntries, printDiagnostics } from "./report.js";

export type { Output };

export interface BuildCommandOptions {
  /** Where a progress line may be drawn (stderr; only a terminal shows one). */
  readonly progressTo?: Writable & { isTTY?: boolean };
  readonly json?: boolean;
  readonly outDir?: string;
  readonly requestTimeout?: string;
  readonly maxConcurrency?: string;
  readonly maxMessageBytes?: string;
}

/** Returns the exit code: 0 built, 1 diagnostics with errors. */
export async function buildCommand(dir: string, options: BuildCommandOptions, io: Output): Promise<number> {
  const projectDir = resolve(dir);
  const { outDir, requestTimeout, maxConcurrency, maxMessageBytes } = options;
  const progress = terminalProgress(options.progressTo ?? process.stderr, "fastmcp build");
  let result: BuildResult;
  try {
    result = await new Builder(projectDir).build({
      overrides: { outDir, requestTimeout, maxConcurrency, maxMessageBytes },
      progress: (stage) => progress.stage(stage),
    });
  } finally {
    progress.done();
  }
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
  printDiagnostics(projectDir, result.diagnostics, io.err);
  if (!result.ok) return;
  const files = new Set(result.entries.map((e) => e.location.file)).size;
  const server = result.serverPath as string;
  const size = (statSync(server).size / 1024).toFixed(1);
  io.out(
    `Built ${countEntries(result)} from ${files} file${files === 1 ? "" : "s"} in ${(result.durationMs / 1000).toFixed(2)} s\n` +
      `  server:   ${relative(process.cwd(), server)} (${size} KiB)\n` +
      `  manifest: ${relative(process.cwd(), result.manifestPath as string)}\n`,
  );
}
