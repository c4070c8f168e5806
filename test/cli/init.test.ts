// `fastmcp init`: the files it writes, the directories it refuses, and the whole first-run path a
// newcomer takes — this package packed with `npm pack`, installed into the new project from the
// tarball, `npx fastmcp build`, and the server driven by the official SDK client.
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { fill, packageName } from "../../src/cli/init.js";
import { connectTo, killStrays } from "../e2e/harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "fastmcp.js");
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-init-"));
const run = promisify(execFile);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  expect(killStrays()).toBe(0);
});

function fastmcp(args: string[], cwd = scratch) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const CREATED = [
  ".gitignore",
  "README.md",
  "package.json",
  "src/prompts.ts",
  "src/resources.ts",
  "src/tools.ts",
  "tsconfig.json",
];

describe("fastmcp init", () => {
  it("creates the project's files and nothing else, and says what comes next", () => {
    const { code, stdout, stderr } = fastmcp(["init", "weather-tools"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const dir = join(scratch, "weather-tools");
    expect(filesUnder(dir)).toEqual(CREATED);
    expect(stdout).toBe(
      `Created weather-tools in weather-tools:\n${CREATED.map((f) => `  ${f}\n`).join("")}\n` +
        "Next steps:\n  cd weather-tools\n  npm install\n  npm run build\n  npx fastmcp list\n",
    );
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toEqual({
      name: "weather-tools",
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: { build: "fastmcp build", start: "node dist/server.mjs" },
      dependencies: { "fastmcp-ts": `^${VERSION}` },
      devDependencies: { "@types/node": "^20" },
    });
    expect(JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")).compilerOptions).toMatchObject({
      module: "NodeNext",
      strict: true,
      lib: ["ES2022"],
      types: ["node"],
    });
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules/\ndist/\n.fastmcp/\n");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/^# weather-tools\n/);
    // The TypeScript sources are the templates as they are.
    for (const file of ["src/tools.ts", "src/resources.ts", "src/prompts.ts"])
      expect(readFileSync(join(dir, file), "utf8")).toBe(
        readFileSync(join(ROOT, "templates", "init", file), "utf8"),
      );
  });

  it("initialises the working directory, naming the package after it", () => {
    const dir = join(scratch, "My Tools!");
    mkdirSync(join(dir, ".git"), { recursive: true }); // `git init` first is fine
    const { code, stdout } = fastmcp(["init"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Created my-tools in the current directory:\n/);
    expect(stdout).toContain("Next steps:\n  npm install\n");
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("my-tools");
  });

  it("refuses a directory that is not empty, unless --force", () => {
    const dir = join(scratch, "taken");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    writeFileSync(join(dir, "package.json"), "{}\n");
    const refused = fastmcp(["init", "taken"]);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: taken is not empty (notes.txt, package.json): choose a new or empty directory, or pass --force to write into it anyway\n",
    });
    expect(filesUnder(dir)).toEqual(["notes.txt", "package.json"]);
    const forced = fastmcp(["init", "taken", "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("  package.json (replaced)\n");
    expect(filesUnder(dir)).toEqual([...CREATED, "notes.txt"].sort());
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
    writeFileSync(join(scratch, "a-file"), "");
    expect(fastmcp(["init", "a-file"]).stderr).toBe("error: a-file exists and is not a directory\n");
  });

  it("derives npm package names from directory names", () => {
    expect(packageName("weather")).toBe("weather");
    expect(packageName("My Server (v2)")).toBe("my-server-v2");
    expect(packageName(".hidden_thing")).toBe("hidden_thing");
    expect(packageName("日本")).toBe("mcp-server");
  });

  it("fills JSON strings escaped and leaves TypeScript alone", () => {
    expect(fill("package.template.json", '{ "name": "{{name}}" }', { name: 'a"b\\c' })).toBe(
      '{ "name": "a\\"b\\\\c" }',
    );
    expect(fill("README.md", "# {{name}}", { name: "x" })).toBe("# x");
    expect(fill("src/tools.ts", "const s = `{{name}}`;", { name: "x" })).toBe("const s = `{{name}}`;");
    expect(() => fill("README.md", "{{nope}}", {})).toThrow("template README.md uses {{nope}}");
  });
});

describe("a new project from the packed package", () => {
  it("installs the tarball, builds with npx fastmcp build and serves the SDK client on the first try", async () => {
    // npm's own settings from an enclosing `npm test` must not leak into the nested commands.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    const npm = (args: string[], cwd: string) =>
      run("npm", args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    const packDir = join(scratch, "pack");
    mkdirSync(packDir);
    // dist/ is already built (`npm test` builds first); --ignore-scripts skips `prepare` rebuilding it.
    const packed = await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], ROOT);
    const tarball = join(packDir, JSON.parse(packed.stdout)[0].filename as string);
    const packedFiles = (JSON.parse(packed.stdout)[0].files as { path: string }[]).map((f) => f.path);
    expect(packedFiles).toEqual(expect.arrayContaining(["templates/init/src/tools.ts", "dist/cli/init.js"]));

    expect(fastmcp(["init", "first-run"]).code).toBe(0);
    const project = join(scratch, "first-run");
    await npm(["install", tarball, "--no-audit", "--no-fund", "--loglevel", "error"], project);
    const build = await run("npx", ["--no-install", "fastmcp", "build"], { cwd: project, env });
    expect(build.stdout).toMatch(/^Built 1 tool, 1 resource, 1 resource template, 1 prompt from 3 files/);

    // The installed CLI smoke-tests the bundle as a CI step would.
    const smoke = await run("npx", ["--no-install", "fastmcp", "call", "count_words", '{"text":"one two"}'], {
      cwd: project,
      env,
    });
    expect(JSON.parse(smoke.stdout)).toEqual({ words: 2, paragraphs: 1, longest: "one" });

    const session = await connectTo(join(project, "dist", "server.mjs"), [], project);
    try {
      const { client } = session;
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["count_words"]);
      expect(tools[0]?.inputSchema).toMatchObject({ required: ["text"] });
      const counted = await client.callTool(
        { name: "count_words", arguments: { text: "Hello MCP world\n\nA second paragraph", minChars: 2 } },
        undefined,
        { onprogress: () => {} },
      );
      expect(counted.structuredContent).toEqual({ words: 5, paragraphs: 2, longest: "paragraph" });
      // On the wire, not through onprogress: the SDK may drop updates that arrive with the response.
      const progress = session.wire.filter((e) => e.msg.method === "notifications/progress");
      expect(progress.map((e) => (e.msg.params as { progress: number }).progress)).toEqual([1, 2]);
      const empty = await client.callTool({ name: "count_words", arguments: { text: "a b", minChars: 3 } });
      expect(empty).toMatchObject({
        isError: true,
        content: [{ type: "text", text: "No words of 3 or more characters in the text." }],
      });
      const about = await client.readResource({ uri: "about://server" });
      expect(about.contents[0]).toMatchObject({ uri: "about://server", mimeType: "text/markdown" });
      const greeting = await client.readResource({ uri: "greetings://fr" });
      expect(greeting.contents[0]).toMatchObject({ text: "Bonjour !" });
      await expect(client.readResource({ uri: "greetings://xx" })).rejects.toMatchObject({ code: -32002 });
      const prompt = await client.getPrompt({
        name: "summarize",
        arguments: { text: "MCP", style: "a haiku" },
      });
      expect(prompt.messages).toEqual([
        {
          role: "user",
          content: { type: "text", text: "Summarize the following text. Write it as a haiku.\n\nMCP" },
        },
      ]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
