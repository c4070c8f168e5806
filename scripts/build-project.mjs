// `fastmcp build <dir> --json` in a child process, for the scripts and tests that need a built
// project: returns the build report, or throws with the diagnostics.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The `--json` report of a successful build of `dir` (its `server` is relative to the repository). */
export function buildReport(dir) {
  const run = spawnSync(process.execPath, [join(ROOT, "bin", "fastmcp.js"), "build", dir, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`fastmcp build ${dir} failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
  if (!report.ok) {
    const lines = report.diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column} ${d.code}: ${d.message}`);
    throw new Error(`fastmcp build ${dir} failed:\n${lines.join("\n")}`);
  }
  return report;
}
