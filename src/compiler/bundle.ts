// The bundle stage: one self-contained ESM file from the generated entry, the project's code and
// this package's runtime, so the server runs with plain `node` and no node_modules.
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Plugin } from "esbuild";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { PACKAGE_ROOT, projectPath } from "./program.js";

const require = createRequire(import.meta.url);

/** `fastmcp-ts` is always this package's runtime; ajv's helpers come from this package's deps. */
const runtimeResolver: Plugin = {
  name: "fastmcp-runtime",
  setup(build) {
    const runtime: Record<string, string> = {
      "fastmcp-ts": join(PACKAGE_ROOT, "dist", "index.js"),
      "fastmcp-ts/runtime": join(PACKAGE_ROOT, "dist", "runtime", "index.js"),
      "fastmcp-ts/stdio": join(PACKAGE_ROOT, "dist", "runtime", "stdio.js"),
    };
    build.onResolve({ filter: /^fastmcp-ts(\/(runtime|stdio))?$/ }, (args) => ({
      path: runtime[args.path] as string,
    }));
    build.onResolve({ filter: /^(ajv|ajv-formats|fast-deep-equal|fast-uri)(\/|$)/ }, (args) => ({
      path: require.resolve(args.path),
    }));
  },
};

export async function bundle(
  projectDir: string,
  entry: string,
): Promise<StageResult<Uint8Array | undefined>> {
  const esbuild = await import("esbuild");
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      outfile: join(projectDir, "server.mjs"),
      plugins: [runtimeResolver],
      absWorkingDir: projectDir,
      logLevel: "silent",
      legalComments: "none",
      // CommonJS dependencies call require(); give the ESM bundle one.
      banner: {
        js: 'import { createRequire as __fastmcpRequire } from "node:module";\nconst require = __fastmcpRequire(import.meta.url);',
      },
    });
    return { value: result.outputFiles[0]?.contents, diagnostics: [] };
  } catch (error) {
    const failure = error as {
      errors?: { text: string; location?: { file: string; line: number; column: number } | null }[];
    };
    const diagnostics: Diagnostic[] = (failure.errors ?? [{ text: String(error) }]).map((e) => ({
      code: Code.BundleFailed,
      severity: "error",
      message: `bundling failed: ${e.text}`,
      ...(e.location
        ? {
            file: projectPath(projectDir, join(projectDir, e.location.file)),
            line: e.location.line,
            column: e.location.column + 1,
          }
        : {}),
    }));
    return { value: undefined, diagnostics };
  }
}
