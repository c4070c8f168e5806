// Project configuration: `fastmcp.config.json`, or a "fastmcp" key in package.json, plus the
// command-line flags that override it. Every invalid value is a diagnostic that names the key,
// the value and what is allowed.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  checkHost,
  checkOrigins,
  checkPath,
  checkPort,
  checkWorkers,
  type HttpConfig,
  UsageError,
} from "../runtime/settings.js";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import { parseDuration } from "./tags.js";

export interface ProjectConfig {
  /** Server name; default: package.json name, else the directory name. */
  readonly name: string;
  /** Server version; default: package.json version, else 0.0.0. */
  readonly version: string;
  readonly instructions?: string;
  /** Globs (relative to the project) of the files to scan; default: the tsconfig's files. */
  readonly include?: readonly string[];
  /** Where server.mjs and manifest.json go; default "dist". */
  readonly outDir: string;
  /** Default budget of a handler in ms; default: the runtime's (60 s). */
  readonly requestTimeoutMs?: number;
  readonly maxConcurrency?: number;
  /** Longest accepted input line in bytes; default: the runtime's (64 MiB). */
  readonly maxMessageBytes?: number;
  /** Longest response in bytes; default: the runtime's (10 MiB − 64 KiB, what the SDK client reads). */
  readonly maxResponseBytes?: number;
  /** Settings of the Streamable HTTP transport (`--http`); its flags and FASTMCP_* variables win. */
  readonly http?: HttpConfig;
}

/** What flags may set; same names and value shapes as in the file. */
export type ConfigOverrides = Readonly<Partial<Record<keyof RawConfig, unknown>>>;

interface RawConfig {
  name: unknown;
  version: unknown;
  instructions: unknown;
  include: unknown;
  outDir: unknown;
  requestTimeout: unknown;
  maxConcurrency: unknown;
  maxMessageBytes: unknown;
  maxResponseBytes: unknown;
  http: unknown;
}

const KEYS: readonly (keyof RawConfig)[] = [
  "name",
  "version",
  "instructions",
  "include",
  "outDir",
  "requestTimeout",
  "maxConcurrency",
  "maxMessageBytes",
  "maxResponseBytes",
  "http",
];
const CONFIG_FILE = "fastmcp.config.json";

export function readConfig(dir: string, overrides: ConfigOverrides = {}): StageResult<ProjectConfig> {
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string | undefined, message: string, hint?: string): void => {
    diagnostics.push({
      code: Code.BadConfig,
      severity: "error",
      message,
      ...(file === undefined ? {} : { file }),
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const pkg = readJson(join(dir, "package.json"), "package.json", fail) as
    | Record<string, unknown>
    | undefined;
  const fromFile = existsSync(join(dir, CONFIG_FILE))
    ? readJson(join(dir, CONFIG_FILE), CONFIG_FILE, fail)
    : undefined;
  const fromPackage = pkg?.fastmcp;
  if (fromFile !== undefined && fromPackage !== undefined) {
    fail(
      CONFIG_FILE,
      `both ${CONFIG_FILE} and a "fastmcp" key in package.json configure this project`,
      "keep one of them",
    );
  }
  const source = fromFile !== undefined ? CONFIG_FILE : "package.json";
  const raw = fromFile ?? fromPackage ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    fail(
      source,
      `${source === CONFIG_FILE ? CONFIG_FILE : 'the "fastmcp" key of package.json'} must be an object, got ${describe(raw)}`,
    );
    return { value: defaults(dir, pkg), diagnostics };
  }
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key))
      fail(source, `unknown key ${JSON.stringify(key)}`, `known keys: ${KEYS.join(", ")}`);
  }
  const merged: Partial<RawConfig> = { ...(raw as Partial<RawConfig>) };
  for (const [key, value] of Object.entries(overrides))
    if (value !== undefined) merged[key as keyof RawConfig] = value;
  const where = (key: keyof RawConfig): string =>
    overrides[key] !== undefined ? `--${flagName(key)}` : source;
  const base = defaults(dir, pkg);
  const config: { -readonly [K in keyof ProjectConfig]: ProjectConfig[K] } = { ...base };
  const text = (key: "name" | "version" | "instructions" | "outDir"): string | undefined => {
    const value = merged[key];
    if (value === undefined) return undefined;
    if (typeof value === "string" && value.trim() !== "") return value;
    fail(where(key), `${key} must be a non-empty string, got ${describe(value)}`);
    return undefined;
  };
  config.name = text("name") ?? base.name;
  config.version = text("version") ?? base.version;
  config.outDir = text("outDir") ?? base.outDir;
  const instructions = text("instructions");
  if (instructions !== undefined) config.instructions = instructions;
  if (merged.include !== undefined) {
    if (
      Array.isArray(merged.include) &&
      merged.include.length > 0 &&
      merged.include.every((g) => typeof g === "string" && g !== "")
    ) {
      config.include = merged.include as string[];
    } else {
      fail(
        where("include"),
        `include must be a non-empty array of glob strings, got ${describe(merged.include)}`,
        'e.g. "include": ["src/**/*.ts"]',
      );
    }
  }
  if (merged.requestTimeout !== undefined) {
    const value = merged.requestTimeout;
    const ms =
      typeof value === "number"
        ? value
        : typeof value === "string"
          ? /^\d+$/.test(value)
            ? Number(value)
            : parseDuration(value)
          : undefined;
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) config.requestTimeoutMs = ms;
    else
      fail(
        where("requestTimeout"),
        `requestTimeout must be milliseconds (a number, 0 for none) or a duration such as "30s", got ${describe(value)}`,
      );
  }
  if (merged.maxConcurrency !== undefined) {
    const value = merged.maxConcurrency;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === "number" && Number.isInteger(n) && n >= 1) config.maxConcurrency = n;
    else
      fail(
        where("maxConcurrency"),
        `maxConcurrency must be a whole number of at least 1, got ${describe(value)}`,
      );
  }
  for (const key of ["maxMessageBytes", "maxResponseBytes"] as const) {
    const value = merged[key];
    if (value === undefined) continue;
    const bytes =
      typeof value === "number" ? value : typeof value === "string" ? parseSize(value) : Number.NaN;
    if (Number.isInteger(bytes) && bytes >= MIN_MESSAGE_BYTES && bytes <= MAX_MESSAGE_BYTES)
      config[key] = bytes;
    else
      fail(
        where(key),
        `${key} must be a whole number of bytes from ${MIN_MESSAGE_BYTES} to ${MAX_MESSAGE_BYTES} (256 MiB) or a size such as "4MiB" or "500KB", got ${describe(value)}`,
      );
  }
  if (merged.http !== undefined) {
    const http = readHttp(merged.http, (message, hint) => fail(where("http"), message, hint));
    if (http !== undefined) config.http = http;
  }
  return { value: config, diagnostics };
}

const HTTP_CHECKS: Readonly<Record<keyof HttpConfig, (value: unknown, from: string) => unknown>> = {
  port: checkPort,
  host: checkHost,
  path: checkPath,
  allowedOrigins: checkOrigins,
  workers: checkWorkers,
};

/** The `http` object, checked as the server checks its flags; undefined if any part is invalid. */
function readHttp(value: unknown, fail: (message: string, hint?: string) => void): HttpConfig | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`http must be an object, got ${describe(value)}`, 'e.g. "http": { "port": 8080 }');
    return undefined;
  }
  const http: Record<string, unknown> = {};
  let valid = true;
  for (const [key, setting] of Object.entries(value)) {
    const check = Object.hasOwn(HTTP_CHECKS, key) ? HTTP_CHECKS[key as keyof HttpConfig] : undefined;
    if (check === undefined) {
      fail(
        `unknown key ${JSON.stringify(`http.${key}`)}`,
        `known keys: ${Object.keys(HTTP_CHECKS).join(", ")}`,
      );
      valid = false;
      continue;
    }
    try {
      http[key] = check(setting, `http.${key}`);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      fail(error.message);
      valid = false;
    }
  }
  return valid ? (http as HttpConfig) : undefined;
}

/** Below this not even an initialize request fits comfortably. */
const MIN_MESSAGE_BYTES = 1024;
/** A line must fit in one string (V8: ~512 Mi characters), and JSON.parse needs several times more. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ["b", 1],
  ["kb", 1e3],
  ["mb", 1e6],
  ["gb", 1e9],
  ["kib", 1024],
  ["mib", 1024 ** 2],
  ["gib", 1024 ** 3],
]);

/** `"65536"`, `"500KB"` (10^3), `"4MiB"` (2^20), `"1.5 MiB"` → bytes; anything else → NaN. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match === null ? undefined : SIZE_UNITS.get((match[2] ?? "").toLowerCase() || "b");
  return match === null || unit === undefined ? Number.NaN : Math.round(Number(match[1]) * unit);
}

function defaults(dir: string, pkg: Record<string, unknown> | undefined): ProjectConfig {
  return {
    name: typeof pkg?.name === "string" && pkg.name !== "" ? pkg.name : basename(dir),
    version: typeof pkg?.version === "string" && pkg.version !== "" ? pkg.version : "0.0.0",
    outDir: "dist",
  };
}

function readJson(path: string, file: string, fail: (file: string, message: string) => void): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    fail(file, `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/** `requestTimeout` → `request-timeout`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
