// The bundle stage: one self-contained ESM file from the generated entry, the project's code and
// this package's runtime, so the server runs with plain `node` and no node_modules. This package's
// files are loaded under esbuild namespaces with stable paths (`fastmcp-ts:runtime/stdio.js`,
// `deps:ajv/dist/runtime/ucs2length.js`): esbuild names each module in the bundle by its path, and
// a path relative to the project would depend on where the project sits relative to this package.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { OnResolveResult, Plugin } from "esbuild";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { PACKAGE_ROOT, projectPath } from "./program.js";

const HERE = fileURLToPath(import.meta.url);
const require = createRequire(HERE);

/** This package's runtime: `fastmcp-ts:<path under dist/>`. */
const RUNTIME = "fastmcp-ts";
/** Files of this package's dependencies: `deps:<package>/<path>` (`<package>@<version>/<path>` for a second copy). */
const DEPS = "deps";
const RUNTIME_DIR = join(PACKAGE_ROOT, "dist");
const RUNTIME_ENTRIES: Readonly<Record<string, string>> = {
  "fastmcp-ts": "index.js",
  "fastmcp-ts/runtime": "runtime/index.js",
  "fastmcp-ts/stdio": "runtime/stdio.js",
  "fastmcp-ts/main": "runtime/main.js",
};
/** What ajv's standalone validators require. */
const AJV_HELPERS = /^(ajv|ajv-formats|fast-deep-equal|fast-uri)(\/|$)/;

interface PackageInfo {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
}

/** The package a file belongs to: the nearest directory above it with a named package.json. */
const packages = new Map<string, PackageInfo | undefined>();
function packageOf(dir: string): PackageInfo | undefined {
  if (packages.has(dir)) return packages.get(dir);
  let found: PackageInfo | undefined;
  const manifest = join(dir, "package.json");
  let pkg: { name?: unknown; version?: unknown } = {};
  try {
    if (existsSync(manifest)) pkg = (JSON.parse(readFileSync(manifest, "utf8")) ?? {}) as typeof pkg;
  } catch {
    // Not a package.json we can read: look further up.
  }
  if (typeof pkg.name === "string" && pkg.name !== "") {
    found = { dir, name: pkg.name, version: typeof pkg.version === "string" ? pkg.version : "0.0.0" };
  } else if (dirname(dir) !== dir) {
    found = packageOf(dirname(dir));
  }
  packages.set(dir, found);
  return found;
}

/** The copy of a package this package itself would load (undefined: it would load none). */
const primaries = new Map<string, string | undefined>();
function primaryDir(name: string): string | undefined {
  if (!primaries.has(name)) {
    let dir: string | undefined;
    try {
      dir = packageOf(dirname(require.resolve(name)))?.dir;
    } catch {
      dir = undefined;
    }
    primaries.set(name, dir);
  }
  return primaries.get(name);
}

/** This package's files do not change while it runs: each is read once per process. */
const packageFiles = new Map<string, Uint8Array>();
function packageFile(path: string): Uint8Array {
  let contents = packageFiles.get(path);
  if (contents === undefined) {
    contents = readFileSync(path);
    packageFiles.set(path, contents);
  }
  return contents;
}

/** Loads this package's runtime and dependencies under namespaces; see the header. */
function packageLoader(generatedDir: string): Plugin {
  // Real paths: esbuild names an importer by its real path (a temporary directory may be a link).
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  const generated = real(generatedDir);
  return {
    name: "fastmcp-package",
    setup(build) {
      // deps:<id> → the file it was read from.
      const files = new Map<string, string>();
      const external = (path: string): OnResolveResult => ({ path, external: true });
      /** Node's resolution of `spec` from `fromFile`, named by package and path in it. */
      const dependency = (spec: string, fromFile: string): OnResolveResult => {
        let file: string;
        try {
          file = createRequire(fromFile).resolve(spec);
        } catch {
          return { errors: [{ text: `cannot resolve ${JSON.stringify(spec)} from this package` }] };
        }
        if (isBuiltin(file)) return external(spec);
        const pkg = packageOf(dirname(file));
        if (pkg === undefined) return { errors: [{ text: `${JSON.stringify(spec)} is in no package` }] };
        const inPackage = relative(pkg.dir, file).split(sep).join("/");
        const id =
          primaryDir(pkg.name) === pkg.dir
            ? `${pkg.name}/${inPackage}`
            : `${pkg.name}@${pkg.version}/${inPackage}`;
        // The same id for two files only for two copies of one version of a package: either will do.
        if (!files.has(id)) files.set(id, file);
        return { path: id, namespace: DEPS };
      };

      // `fastmcp-ts` is always this package's runtime, whoever imports it, so the handlers and the
      // server agree on Context, ToolError and the content helpers.
      build.onResolve({ filter: /^fastmcp-ts(\/(runtime|stdio|main))?$/ }, (args) => ({
        path: RUNTIME_ENTRIES[args.path] as string,
        namespace: RUNTIME,
      }));
      // The generated validators' helpers come from this package's dependencies (the user's own
      // code resolves ajv, if it uses it, from its own node_modules as usual).
      build.onResolve({ filter: AJV_HELPERS }, (args) =>
        args.namespace === "file" && real(dirname(args.importer)) === generated
          ? dependency(args.path, HERE)
          : undefined,
      );
      build.onResolve({ filter: /.*/, namespace: RUNTIME }, (args) => {
        if (isBuiltin(args.path)) return external(args.path);
        const importer = join(RUNTIME_DIR, ...args.importer.split("/"));
        if (args.path.startsWith("./") || args.path.startsWith("../")) {
          const path = posix.normalize(posix.join(posix.dirname(args.importer), args.path));
          if (!path.startsWith("../")) return { path, namespace: RUNTIME };
        }
        return dependency(args.path, importer);
      });
      build.onResolve({ filter: /.*/, namespace: DEPS }, (args) =>
        isBuiltin(args.path)
          ? external(args.path)
          : dependency(args.path, files.get(args.importer) as string),
      );
      build.onLoad({ filter: /.*/, namespace: RUNTIME }, (args) => ({
        contents: packageFile(join(RUNTIME_DIR, ...args.path.split("/"))),
        loader: "js",
      }));
      build.onLoad({ filter: /.*/, namespace: DEPS }, (args) => ({
        contents: packageFile(files.get(args.path) as string),
        loader: args.path.endsWith(".json") ? "json" : "js",
      }));
    },
  };
}

function buildOptions(projectDir: string, entry: string): import("esbuild").BuildOptions & { write: false } {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    outfile: join(projectDir, "server.mjs"),
    plugins: [packageLoader(dirname(entry))],
    absWorkingDir: projectDir,
    logLevel: "silent",
    legalComments: "none",
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: 'import { createRequire as __fastmcpRequire } from "node:module";\nconst require = __fastmcpRequire(import.meta.url);',
    },
  };
}

/** One bundle, from scratch. */
export async function bundle(
  projectDir: string,
  entry: string,
): Promise<StageResult<Uint8Array | undefined>> {
  const esbuild = await import("esbuild");
  try {
    const result = await esbuild.build(buildOptions(projectDir, entry));
    return { value: result.outputFiles[0]?.contents, diagnostics: [] };
  } catch (error) {
    return { value: undefined, diagnostics: bundleDiagnostics(projectDir, error) };
  }
}

/** Bundles again and again with one esbuild context, which rebuilds only what changed (fastmcp dev). */
export class IncrementalBundler {
  private context:
    | import("esbuild").BuildContext<import("esbuild").BuildOptions & { write: false }>
    | undefined;

  async bundle(projectDir: string, entry: string): Promise<StageResult<Uint8Array | undefined>> {
    const esbuild = await import("esbuild");
    try {
      this.context ??= await esbuild.context(buildOptions(projectDir, entry));
      const result = await this.context.rebuild();
      return { value: result.outputFiles?.[0]?.contents, diagnostics: [] };
    } catch (error) {
      return { value: undefined, diagnostics: bundleDiagnostics(projectDir, error) };
    }
  }

  /** Stops esbuild's service for this context (it would keep the process alive). */
  async dispose(): Promise<void> {
    await this.context?.dispose();
    this.context = undefined;
  }
}

function bundleDiagnostics(projectDir: string, error: unknown): Diagnostic[] {
  const failure = error as {
    errors?: {
      text: string;
      location?: { file: string; namespace?: string; line: number; column: number } | null;
    }[];
  };
  return (failure.errors ?? [{ text: String(error) }]).map((e) => ({
    code: Code.BundleFailed,
    severity: "error",
    message: `bundling failed: ${e.text}`,
    ...(e.location
      ? {
          file:
            !e.location.namespace || e.location.namespace === "file"
              ? projectPath(projectDir, join(projectDir, e.location.file))
              : `${e.location.namespace}:${e.location.file}`,
          line: e.location.line,
          column: e.location.column + 1,
        }
      : {}),
  }));
}
