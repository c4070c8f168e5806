// nginx as a round-robin reverse proxy in front of several HTTP servers, for the scale-out test:
// found on the PATH or installed from Debian's packages (nginx-light) when the test runs as root,
// and run in the foreground with a generated config whose pid, logs and temp files all live in one
// temp directory. The access log is JSON lines naming the backend ($upstream_addr) of each request.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitForPort } from "./servers.mjs";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx"];

export type NginxLookup = { path: string; installed: boolean } | { path: undefined; reason: string };

function findNginx(): string | undefined {
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  const onPath = which.status === 0 ? which.stdout.trim() : "";
  return onPath !== "" ? onPath : CANDIDATES.find((path) => existsSync(path));
}

function aptGet(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync("apt-get", args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    timeout: 300_000,
  });
  return {
    ok: run.status === 0,
    output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error?.message ?? ""}`,
  };
}

/**
 * The nginx binary, installing Debian's nginx-light when it is missing and this process may
 * (root, apt-get present). Package lists are refreshed only when the first attempt fails.
 */
export function findOrInstallNginx(log: (line: string) => void = console.warn): NginxLookup {
  const found = findNginx();
  if (found !== undefined) return { path: found, installed: false };
  if (process.platform !== "linux" || process.getuid?.() !== 0) {
    return { path: undefined, reason: "nginx is not installed and this user cannot install it (not root)" };
  }
  if (spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0) {
    return { path: undefined, reason: "nginx is not installed and there is no apt-get to install it" };
  }
  const install = ["install", "-y", "-q", "--no-install-recommends", "nginx-light"];
  log("scale-out: nginx is missing; installing Debian's nginx-light (apt-get install nginx-light)");
  let result = aptGet(install);
  if (!result.ok) {
    log("scale-out: apt-get install failed; refreshing the package lists (apt-get update) and retrying");
    aptGet(["update", "-q"]);
    result = aptGet(install);
  }
  const path = findNginx();
  if (path === undefined) {
    return { path: undefined, reason: `apt-get install nginx-light failed:\n${result.output.slice(-2000)}` };
  }
  return { path, installed: true };
}

export interface AccessLogEntry {
  method: string;
  uri: string;
  status: number;
  /** `host:port` of the backend, or several separated by ", " when nginx retried. */
  upstream: string;
  requestTime: number;
}

export interface ReverseProxy {
  url: string;
  port: number;
  dir: string;
  accessLog(): AccessLogEntry[];
  errorLog(): string;
  stop(): Promise<void>;
}

// One process (master_process off): nothing to switch users for when the test runs as root, and
// stopping it stops everything. proxy_buffering off lets SSE responses through as they are written.
function nginxConfig(dir: string, port: number, backends: readonly number[]): string {
  const temp = (name: string) => join(dir, "temp", name);
  return `daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 512; }
http {
  log_format mcp escape=json '{"method":"$request_method","uri":"$request_uri","status":$status,'
                             '"upstream":"$upstream_addr","requestTime":$request_time}';
  access_log ${join(dir, "access.log")} mcp;
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  upstream mcp_servers {
${backends.map((backend) => `    server 127.0.0.1:${backend};`).join("\n")}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mcp_servers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
`;
}

/** Starts nginx (round robin over 127.0.0.1:<backends>) with its files in `dir`; resolves once it listens. */
export async function startProxy(
  nginx: string,
  dir: string,
  backends: readonly number[],
): Promise<ReverseProxy> {
  mkdirSync(join(dir, "temp"), { recursive: true });
  const port = await freePort();
  const config = join(dir, "nginx.conf");
  writeFileSync(config, nginxConfig(dir, port, backends));
  // -e: the error log nginx opens before it has read the config (its compiled-in default is /var/log).
  const child: ChildProcess = spawn(nginx, ["-p", dir, "-c", config, "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const errorLog = () =>
    `${stderr}${existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : ""}`;
  const stop = async () => {
    if (running()) {
      child.kill("SIGQUIT"); // graceful: finish what is in flight, then exit
      const timer = setTimeout(() => running() && child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitForPort(port, { alive: running, what: "nginx" });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${errorLog()}`);
  }
  const accessLog = () =>
    readFileSync(join(dir, "access.log"), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as AccessLogEntry);
  return { url: `http://127.0.0.1:${port}/mcp`, port, dir, accessLog, errorLog, stop };
}
