// What the HTTP checks share (conformance.mjs, inspector.mjs, scale-out.test.ts, bench/http.mjs):
// the pinned third-party tools, building a project, and running built servers with `--http` on
// free loopback ports. Paths come from this file's location, never from the working directory.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReport } from "../../scripts/build-project.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const TOOLS = join(ROOT, "test", "http", "tools");
export const CONFORMANCE_PROJECT = join(ROOT, "fixtures", "projects", "conformance");

/** Installs test/http/tools/node_modules (npm ci) unless it matches the lock file already. */
export function ensureTools(log = (line) => process.stderr.write(`${line}\n`)) {
  const lock = readFileSync(join(TOOLS, "package-lock.json"));
  const digest = createHash("sha256").update(lock).digest("hex");
  const stamp = join(TOOLS, "node_modules", ".lock-sha256");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  log("installing the HTTP checkers: npm ci --prefix test/http/tools");
  const npm = spawnSync("npm", ["ci", "--prefix", TOOLS, "--no-audit", "--no-fund"], {
    stdio: ["ignore", 2, 2],
  });
  if (npm.status !== 0)
    throw new Error(`npm ci --prefix ${TOOLS} failed (${npm.error ?? `exit ${npm.status}`})`);
  writeFileSync(stamp, digest);
}

/** A tool's entry point inside test/http/tools/node_modules. */
export function toolPath(...parts) {
  return join(TOOLS, "node_modules", ...parts);
}

/** `fastmcp build <dir> --json`; returns the absolute path of the built server or throws with the diagnostics. */
export function buildProject(dir) {
  if (!existsSync(join(ROOT, "dist", "cli"))) {
    throw new Error(
      `fastmcp-ts is not built (${join(ROOT, "dist", "cli")} is missing): run \`npm run build\``,
    );
  }
  const report = buildReport(dir);
  return join(ROOT, report.server);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects after `timeoutMs` or when `alive()` turns false. */
export async function waitForPort(
  port,
  { timeoutMs = 15_000, alive = () => true, what = `port ${port}` } = {},
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (!alive()) throw new Error(`${what} exited before it listened on 127.0.0.1:${port}`);
    if (Date.now() > until)
      throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `node <server> --http --port <port> [...args]` (a free port unless given) and waits until it
 * listens. Returns { url, port, child, stderr(), stop() }; stop() sends SIGTERM, then SIGKILL after 5 s.
 */
export async function startHttpServer(serverPath, { port, args = [], env = {}, name = serverPath } = {}) {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [serverPath, "--http", "--port", String(chosen), ...args], {
    cwd: dirname(serverPath),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  child.stdout.resume();
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => running() && child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    return exited;
  };
  try {
    await waitForPort(chosen, { alive: running, what: name });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${stderr}`);
  }
  return { url: `http://127.0.0.1:${chosen}/mcp`, port: chosen, child, stderr: () => stderr, stop, exited };
}
