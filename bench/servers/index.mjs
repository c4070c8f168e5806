// The servers of the side-by-side benchmark, for the runner:
// - prepareServers({ log }): everything needed before measuring (bench dependencies, the ajv
//   validators of loop-ajv, the two fastmcp-ts projects built into bench/.gen/);
// - serverCommands(size): how to start each server with 3 or 100 tools, as argv arrays.
// Paths come from this file's location, never from the working directory.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReport } from "../../scripts/build-project.mjs";
import { extraTypeScript } from "./extra-tools.mjs";

const SERVERS = dirname(fileURLToPath(import.meta.url));
const BENCH = dirname(SERVERS);
const ROOT = dirname(BENCH);
const GEN = join(BENCH, ".gen");
const PROJECT = join(BENCH, "project-calls");

export const SERVER_NAMES = ["loop", "loop-ajv", "sdk", "punkpeye", "fastmcp-ts"];

/** Argv arrays (spawn without a shell) of every server, for 3 or 100 tools. */
export function serverCommands(size) {
  if (size !== 3 && size !== 100) throw new Error(`size must be 3 or 100, got ${size}`);
  const node = process.execPath;
  const tools = size === 100 ? ["--tools", "100"] : [];
  const script = (name) => [node, join(SERVERS, `${name}.mjs`), ...tools];
  return [
    { name: "loop", command: script("loop") },
    { name: "loop-ajv", command: script("loop-ajv") },
    { name: "sdk", command: script("sdk") },
    { name: "punkpeye", command: script("punkpeye") },
    { name: "fastmcp-ts", command: [node, join(fastmcpProjectDir(size), "dist", "server.mjs")] },
  ];
}

/**
 * Gets every server ready to run. Idempotent: installs bench/node_modules only when it is missing,
 * rewrites generated files only when they change, and rebuilds a fastmcp-ts project only when its
 * sources or the compiler (the repository's dist/) changed. Throws when something cannot be built.
 */
export async function prepareServers({ log = () => {} } = {}) {
  if (!existsSync(join(ROOT, "dist", "cli"))) {
    throw new Error(
      `fastmcp-ts is not built (${join(ROOT, "dist", "cli")} is missing): run \`npm run build\` in ${ROOT}`,
    );
  }
  if (!existsSync(join(BENCH, "node_modules"))) {
    log("installing the bench's dependencies: npm ci --prefix bench");
    // npm's output goes to stderr: the runner's stdout may carry results.
    const npm = spawnSync("npm", ["ci", "--prefix", BENCH, "--no-audit", "--no-fund"], {
      stdio: ["ignore", 2, 2],
    });
    if (npm.status !== 0) {
      throw new Error(`npm ci --prefix ${BENCH} failed (${npm.error ?? `exit ${npm.status}`})`);
    }
  }

  // Imported only now: it needs ajv from bench/node_modules.
  const { generateValidators } = await import("./gen-validators.mjs");
  generateValidators();
  log("ajv validators: bench/.gen/validators.cjs, validators-100.cjs");

  for (const size of [3, 100]) {
    const dir = fastmcpProjectDir(size);
    const built = buildFastmcpProject(dir, projectFiles(size), size);
    log(
      `fastmcp-ts, ${size} tools: ${built ? "built" : "up to date"} ${relative(ROOT, join(dir, "dist", "server.mjs"))}`,
    );
  }
}

function fastmcpProjectDir(size) {
  return join(GEN, size === 100 ? "fastmcp-ts-100" : "fastmcp-ts");
}

// The project's files (relative path → text): bench/project-calls as written, plus src/extra.ts for 100.
function projectFiles(size) {
  const files = new Map();
  const pkg = JSON.parse(readFileSync(join(PROJECT, "package.json"), "utf8"));
  if (size === 100) pkg.name = `${pkg.name}-100`;
  pkg.dependencies["fastmcp-ts"] = "file:../../.."; // the repository, seen from bench/.gen/<project>
  files.set("package.json", `${JSON.stringify(pkg, null, 2)}\n`);
  files.set("tsconfig.json", readFileSync(join(PROJECT, "tsconfig.json"), "utf8"));
  for (const name of readdirSync(join(PROJECT, "src"))) {
    files.set(`src/${name}`, readFileSync(join(PROJECT, "src", name), "utf8"));
  }
  if (size === 100) files.set("src/extra.ts", extraTypeScript());
  return files;
}

// Writes the project into `dir` and builds it unless the stamp says nothing changed; true if it built.
function buildFastmcpProject(dir, files, size) {
  mkdirSync(join(dir, "src"), { recursive: true });
  for (const name of readdirSync(join(dir, "src"))) {
    if (!files.has(`src/${name}`)) rmSync(join(dir, "src", name), { recursive: true, force: true });
  }
  const hash = createHash("sha256");
  for (const [path, text] of files) {
    writeIfChanged(join(dir, path), text);
    hash.update(`${path}\0${text}\0`);
  }
  for (const path of listFiles(join(ROOT, "dist"))) {
    const { mtimeMs, size: bytes } = statSync(path);
    hash.update(`${path}\0${mtimeMs}\0${bytes}\0`);
  }
  const stamp = hash.digest("hex");
  const stampFile = join(dir, ".bench-stamp");
  const server = join(dir, "dist", "server.mjs");
  if (existsSync(server) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return false;

  const report = buildReport(dir);
  const tools = report.entries.filter((e) => e.kind === "tool").length;
  if (tools !== size) throw new Error(`fastmcp build ${dir} found ${tools} tools, expected ${size}`);
  writeFileSync(stampFile, stamp);
  return true;
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

function writeIfChanged(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileSync(path, text);
}
