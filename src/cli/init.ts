// `fastmcp init [dir]`: a new project from templates/init — a sample tool, resource and prompt
// that build and serve on the first try. JSON and Markdown templates get the name and version.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Output } from "./output.js";

export interface InitCommandOptions {
  readonly force?: boolean;
}

const TEMPLATES = fileURLToPath(new URL("../../templates/init/", import.meta.url));
/** Template files whose names cannot be their own: npm drops .gitignore from packages, and a
 * package.json among the templates would make them a package of their own. */
const RENAMED: Readonly<Record<string, string>> = {
  gitignore: ".gitignore",
  "package.template.json": "package.json",
};
const FALLBACK_NAME = "mcp-server";

/** Returns the exit code: 0 created, 1 the directory is not empty or not a directory. */
export async function initCommand(dir: string, options: InitCommandOptions, io: Output): Promise<number> {
  const target = resolve(dir);
  const problem = checkTarget(target, dir, options.force === true);
  if (problem !== undefined) {
    io.err(`${problem}\n`);
    return 1;
  }
  const values = { name: packageName(basename(target)), version: ownVersion() };
  const written: string[] = [];
  for (const file of templateFiles()) {
    const destination = RENAMED[file] ?? file;
    const path = join(target, destination);
    const replaced = existsSync(path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, fill(file, readFileSync(join(TEMPLATES, file), "utf8"), values));
    written.push(`  ${destination}${replaced ? " (replaced)" : ""}`);
  }
  const shown = displayPath(target);
  io.out(
    `Created ${values.name} in ${shown === "" ? "the current directory" : shown}:\n${written.sort().join("\n")}\n\n` +
      `Next steps:\n${shown === "" ? "" : `  cd ${shellQuote(shown)}\n`}  npm install\n  npm run build\n  npx fastmcp list\n`,
  );
  return 0;
}

/** Relative to the working directory when inside it, else absolute. */
function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith("..") || isAbsolute(shown) ? path : shown;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Why the project cannot go into `target`, or undefined. A lone .git (after `git init`) is fine. */
function checkTarget(target: string, dir: string, force: boolean): string | undefined {
  if (!existsSync(target)) return undefined;
  if (!statSync(target).isDirectory()) return `error: ${dir} exists and is not a directory`;
  const entries = readdirSync(target).filter((entry) => entry !== ".git");
  if (entries.length === 0 || force) return undefined;
  const shown = entries.sort().slice(0, 5).join(", ") + (entries.length > 5 ? ", …" : "");
  return `error: ${dir} is not empty (${shown}): choose a new or empty directory, or pass --force to write into it anyway`;
}

/** Template paths relative to templates/init, with `/` separators, sorted. */
function templateFiles(from = ""): string[] {
  return readdirSync(join(TEMPLATES, from), { withFileTypes: true })
    .flatMap((entry) => {
      const path = from === "" ? entry.name : `${from}/${entry.name}`;
      return entry.isDirectory() ? templateFiles(path) : [path];
    })
    .sort();
}

/** Replaces `{{key}}` in JSON (as string contents) and Markdown; other files are copied as they are. */
export function fill(file: string, text: string, values: Readonly<Record<string, string>>): string {
  const extension = extname(file);
  if (extension !== ".json" && extension !== ".md") return text;
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${file} uses {{${key}}}, which init does not fill`);
    return extension === ".json" ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/** An npm package name from a directory name: lower case, URL-safe, no leading dot or underscore. */
export function packageName(directory: string): string {
  const name = directory
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._~-]+|-+$/g, "")
    .slice(0, 214);
  return name === "" ? FALLBACK_NAME : name;
}

function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
