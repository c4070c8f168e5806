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
    .option("--max-message-bytes <bytes|size>", "longest input line, e.g. 1048576 or 1MiB (default: 64 MiB)")
    .action(
      async (
        dir: string,
        options: {
          json?: boolean;
          outDir?: string;
          requestTimeout?: string;
          maxConcurrency?: string;
          maxMessageBytes?: string;
        },
      ) => {
        // The compiler (TypeScript, ajv, esbuild) loads only when a command needs it.
        const { buildCommand } = await import("./build.js");
        code = await buildCommand(dir, options, io);
      },
    );
  program
    .command("dev")
    .description(
      "serve over stdio while you edit: rebuild on save and swap the server in place, keeping the client connected",
    )
    .argument("[dir]", "project directory", ".")
    .option(
      "--out-dir <dir>",
      "where server.mjs and manifest.json go, relative to the project (default: dist)",
    )
    .option("--request-timeout <ms|duration>", "default handler budget, e.g. 30000 or 30s (0: none)")
    .option("--max-concurrency <n>", "handlers running at once")
    .option("--max-message-bytes <bytes|size>", "longest input line, e.g. 1048576 or 1MiB (default: 64 MiB)")
    .option("--verbose", "log how long each stage of each rebuild takes")
    .action(
      async (
        dir: string,
        options: {
          outDir?: string;
          requestTimeout?: string;
          maxConcurrency?: string;
          maxMessageBytes?: string;
          verbose?: boolean;
        },
      ) => {
        const { devCommand } = await import("./dev.js");
        const { outDir, requestTimeout, maxConcurrency, maxMessageBytes, verbose } = options;
        code = await devCommand(
          dir,
          { outDir, requestTimeout, maxConcurrency, maxMessageBytes, verbose },
          { input: process.stdin, output: process.stdout, err: process.stderr },
        );
      },
    );
  program
    .command("list")
    .description("list the tools, resources, resource templates and prompts of a built server")
    .argument("[dir]", "project directory; runs <dir>/dist/server.mjs", ".")
    .option("--json", "print the lists as the server returned them")
    .option("--server <path>", "run this server.mjs instead of <dir>/dist/server.mjs")
    .option("--timeout <ms>", "how long to wait for each answer (default: 30000)")
    .option("--verbose", "show the server's stderr even when nothing failed")
    .action(
      async (
        dir: string,
        options: { json?: boolean; server?: string; timeout?: string; verbose?: boolean },
      ) => {
        const { listCommand } = await import("./list.js");
        code = await listCommand(dir, options, io);
      },
    );
  program
    .command("call")
    .description("call a tool of a built server; exits 1 on an isError result or a protocol error")
    .argument("<name>", "the tool")
    .argument("[json]", "its arguments, one JSON object (default: {})")
    .argument("[dir]", "project directory; runs <dir>/dist/server.mjs", ".")
    .option("--json", "print the raw result (or the JSON-RPC error) on stdout")
    .option("--server <path>", "run this server.mjs instead of <dir>/dist/server.mjs")
    .option("--timeout <ms>", "how long to wait for the result (default: 120000)")
    .option("--verbose", "show the server's stderr and log messages even when nothing failed")
    .action(
      async (
        name: string,
        json: string | undefined,
        dir: string,
        options: { json?: boolean; server?: string; timeout?: string; verbose?: boolean },
      ) => {
        const { callCommand } = await import("./call.js");
        const showProgress = process.stderr.isTTY === true;
        code = await callCommand(name, json, dir, { ...options, showProgress }, io);
      },
    );
  program
    .command("init")
    .description("create a new project (a sample tool, resource and prompt) that builds on the first try")
    .argument("[dir]", "where to create it", ".")
    .option("--force", "write into a directory that is not empty, replacing files of the same names")
    .action(async (dir: string, options: { force?: boolean }) => {
      const { initCommand } = await import("./init.js");
      code = await initCommand(dir, options, io);
    });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}

process.exitCode = await run(process.argv.slice(2));
