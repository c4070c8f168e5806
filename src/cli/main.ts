// The `fastmcp` command line. The only module that sets process.exitCode.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
};

/** Parses argv and runs the command; resolves to the exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command("fastmcp")
    .description("Build MCP servers from JSDoc-tagged TypeScript functions.")
    .version(packageVersion(), "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program
    .command("build")
    .description("check the project, generate schemas and validators, and bundle dist/server.mjs")
    .argument("[dir]", "project directory", ".")
    .option("--json", "print a machine-readable result on stdout")
    .option(
      "--out-dir <dir>",
      "where server.mjs and manifest.json go, relative to the project (default: dist)",
    )
    .option("--request-timeout <ms|duration>", "default handler budget, e.g. 30000 or 30s (0: none)")
    .option("--max-concurrency <n>", "handlers running at once")
    .action(
      async (
        dir: string,
        options: { json?: boolean; outDir?: string; requestTimeout?: string; maxConcurrency?: string },
      ) => {
        // The compiler (TypeScript, ajv, esbuild) loads only when a command needs it.
        const { buildCommand } = await import("./build.js");
        code = await buildCommand(dir, options, io);
      },
    );
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}

process.exitCode = await run(process.argv.slice(2));
