// How a generated server is asked to run: command-line flags over FASTMCP_* environment
// variables over the project's configuration (baked into the bundle at build time). Parsed
// without side effects so that it can be tested on its own.

/** The `http` key of fastmcp.config.json, as the build passes it on. */
export interface HttpConfig {
  port?: number;
  host?: string;
  path?: string;
  allowedOrigins?: readonly string[];
  workers?: number | "auto";
}

export interface HttpSettings {
  port: number;
  host: string;
  path: string;
  allowedOrigins: readonly string[] | undefined;
  /** Processes sharing the port; `auto`: one per CPU. */
  workers: number | "auto";
  token: string | undefined;
}

export interface Settings {
  transport: "stdio" | "http";
  help: boolean;
  http: HttpSettings;
}

export class UsageError extends Error {}

export const USAGE = `usage: node server.mjs [--stdio | --http [options]]

  --stdio                  serve MCP on stdin/stdout (the default)
  --http                   serve MCP over Streamable HTTP             FASTMCP_TRANSPORT=http
  --port <n>               port, 0 for any free one (default 3000)    FASTMCP_PORT
  --host <address>         interface to listen on (default 127.0.0.1) FASTMCP_HOST
  --path <path>            the MCP endpoint (default /mcp)            FASTMCP_PATH
  --workers <n|auto>       processes sharing the port (default 1)     FASTMCP_WORKERS
  --allowed-origins <list> comma-separated origins browsers may call from
                           (default: http(s)://localhost, 127.0.0.1, [::1]; * for any)
                                                                      FASTMCP_ALLOWED_ORIGINS
  FASTMCP_HTTP_TOKEN=<token> requires "Authorization: Bearer <token>" on every request
`;

const HTTP_FLAGS = ["port", "host", "path", "workers", "allowed-origins"] as const;
type HttpFlag = (typeof HTTP_FLAGS)[number];
const ENV: Readonly<Record<HttpFlag, string>> = {
  port: "FASTMCP_PORT",
  host: "FASTMCP_HOST",
  path: "FASTMCP_PATH",
  workers: "FASTMCP_WORKERS",
  "allowed-origins": "FASTMCP_ALLOWED_ORIGINS",
};

export function readSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  config: HttpConfig = {},
): Settings {
  let transport: Settings["transport"] | undefined;
  let help = false;
  const flags: Partial<Record<HttpFlag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : arg;
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--http" || arg === "--stdio") {
      if (transport !== undefined && transport !== name)
        throw new UsageError("--http and --stdio exclude each other");
      transport = name as Settings["transport"];
    } else if ((HTTP_FLAGS as readonly string[]).includes(name) && arg.startsWith("--")) {
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith("--")))
        throw new UsageError(`--${name} needs a value`);
      flags[name as HttpFlag] = value;
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const fromEnv = env.FASTMCP_TRANSPORT;
  if (transport === undefined && fromEnv !== undefined && fromEnv !== "") {
    if (fromEnv !== "http" && fromEnv !== "stdio")
      throw new UsageError(`FASTMCP_TRANSPORT must be http or stdio, got ${JSON.stringify(fromEnv)}`);
    transport = fromEnv;
  }
  transport ??= "stdio";
  const given = Object.keys(flags);
  if (transport === "stdio" && given.length > 0)
    throw new UsageError(`--${given[0]} applies to the HTTP transport: add --http`);
  const pick = (flag: HttpFlag): { value: string; from: string } | undefined => {
    const value = flags[flag];
    if (value !== undefined) return { value, from: `--${flag}` };
    const variable = env[ENV[flag]];
    return variable === undefined || variable === "" ? undefined : { value: variable, from: ENV[flag] };
  };
  const token = env.FASTMCP_HTTP_TOKEN;
  const read = <T>(flag: HttpFlag, check: (value: unknown, from: string) => T): T | undefined => {
    const given = pick(flag);
    return given === undefined ? undefined : check(given.value, given.from);
  };
  return {
    transport,
    help,
    http: {
      port: read("port", checkPort) ?? config.port ?? 3000,
      host: read("host", checkHost) ?? config.host ?? "127.0.0.1",
      path: read("path", checkPath) ?? config.path ?? "/mcp",
      allowedOrigins: read("allowed-origins", checkOrigins) ?? config.allowedOrigins,
      workers: read("workers", checkWorkers) ?? config.workers ?? 1,
      token: token === undefined || token === "" ? undefined : token,
    },
  };
}

// Each check takes a flag's or variable's text, or a configuration value, and names `from` in
// its error; fastmcp build checks the project's `http` configuration with the same functions.

export function checkPort(value: unknown, from: string): number {
  const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port === "number" && Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  throw new UsageError(`${from} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
}

export function checkHost(value: unknown, from: string): string {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  throw new UsageError(`${from} must be a host name or address, got ${JSON.stringify(value)}`);
}

export function checkPath(value: unknown, from: string): string {
  if (typeof value === "string" && /^\/[^\s?#]*$/.test(value)) return value;
  throw new UsageError(`${from} must be a path starting with /, got ${JSON.stringify(value)}`);
}

export function checkWorkers(value: unknown, from: string): number | "auto" {
  if (value === "auto") return "auto";
  const workers = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof workers === "number" && Number.isInteger(workers) && workers >= 1 && workers <= 1024)
    return workers;
  throw new UsageError(
    `${from} must be a whole number from 1 to 1024 or "auto", got ${JSON.stringify(value)}`,
  );
}

/** A comma-separated list, or an array of strings. */
export function checkOrigins(value: unknown, from: string): string[] {
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list) || !list.every((origin) => typeof origin === "string"))
    throw new UsageError(
      `${from} must list origins such as https://app.example.com, got ${JSON.stringify(value)}`,
    );
  const origins = list.map((origin) => origin.trim()).filter((origin) => origin !== "");
  for (const origin of origins) {
    if (origin !== "*" && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\/?$/i.test(origin))
      throw new UsageError(
        `${from}: ${JSON.stringify(origin)} is not an origin such as https://app.example.com`,
      );
  }
  if (origins.length > 0) return origins;
  throw new UsageError(`${from} must list at least one origin`);
}
