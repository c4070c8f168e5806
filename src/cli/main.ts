// The `fastmcp` command line. The only module that sets process.exitCode.
import { readFileSync } from "node:fs";

const USAGE = `Usage: fastmcp <command> [options]

Options:
  -h, --help     show this help
  -v, --version  print the version

This release ships the runtime only; build, dev, call, list and init are not available yet.`;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function run(argv: readonly string[]): number {
  const [first] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  process.stderr.write(`fastmcp: unknown command ${JSON.stringify(first)}\n\n${USAGE}\n`);
  return 2;
}

process.exitCode = run(process.argv.slice(2));
