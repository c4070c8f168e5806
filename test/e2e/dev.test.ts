// `fastmcp dev` as a desktop client sees it: the official SDK client launches `fastmcp dev <dir>`
// over stdio and keeps one connection while the project's files change under it.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAlive, sleep, type ToolResult, waitUntil } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "fastmcp.js");
const scratch = mkdtempSync(join(tmpdir(), "fastmcp-dev-"));

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    lib: ["ES2022"],
    types: ["node"],
  },
  include: ["src"],
};

/** Tools that stay put: a slow one (progress, cancellation), one that kills its process, a log. */
const STEADY = `import type { Context } from "fastmcp-ts";

const events: string[] = [];

/**
 * Takes \`steps\` × 50 ms, reporting progress after each step.
 * @tool slow
 * @param steps How many steps
 */
export async function slow(ctx: Context, steps: number): Promise<string> {
  try {
    for (let i = 0; i < steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ctx.checkpoint();
      ctx.progress(i + 1, steps);
    }
    events.push("slow finished");
    return \`done after \${steps} steps in process \${process.pid}\`;
  } catch (error) {
    events.push("slow cancelled");
    throw error;
  }
}

/**
 * What happened in this server process so far.
 * @tool events
 */
export async function listEvents(): Promise<string> {
  return events.join(", ");
}

/**
 * The server process's id.
 * @tool pid
 */
export async function pid(): Promise<number> {
  return process.pid;
}

/**
 * Ends the server process without answering.
 * @tool crash
 */
export async function crash(): Promise<string> {
  setTimeout(() => process.exit(3), 10);
  return new Promise(() => {});
}
`;

interface ExtraTool {
  readonly name: string;
  readonly params: readonly string[];
}

/** src/tools.ts: one tool per entry, returning its name and arguments. */
function toolsSource(tools: readonly ExtraTool[]): string {
  return tools
    .map(
      (t) => `/**
 * The tool ${t.name}.
 * @tool ${t.name}
 */
export async function fn_${t.name}(${t.params.map((p) => `${p}: string`).join(", ")}): Promise<string> {
  return ${JSON.stringify(`${t.name}:`)} + [${t.params.join(", ")}].join(",");
}
`,
    )
    .join("\n");
}

/** src/extras.ts: a resource and a prompt whose descriptions carry `version`. */
function extrasSource(version: string): string {
  return `/**
 * Notes, ${version}.
 * @resource notes://all
 */
export function notes(): string {
  return "notes";
}

/**
 * Review a text (${version}).
 * @prompt review
 * @param text The text
 */
export function review(text: string): string {
  return "Review: " + text;
}
`;
}

function makeProject(name: string, tools: readonly ExtraTool[]): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name, version: "1.0.0", type: "module" })}\n`);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
  writeFileSync(join(dir, "src", "steady.ts"), STEADY);
  writeFileSync(join(dir, "src", "tools.ts"), toolsSource(tools));
  writeFileSync(join(dir, "src", "extras.ts"), extrasSource("v0"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Every process below `pid` (Linux: from /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

type ListKind = "tools" | "resources" | "prompts";

interface DevSession {
  readonly client: Client;
  readonly pid: number;
  readonly changes: Record<ListKind, number>;
  /** Every process the dev server has started so far (sampled while the session runs). */
  readonly seen: Set<number>;
  stderr(): string;
  /** Writes a file and waits until the client was told that each of `kinds` changed. */
  edit(file: string, content: string, kinds: readonly ListKind[]): Promise<void>;
  close(): Promise<void>;
}

const sessions: DevSession[] = [];

async function startDev(dir: string): Promise<DevSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "dev", dir],
    stderr: "pipe",
    cwd: dir,
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "fastmcp-dev-e2e", version: "1.0.0" }, { capabilities: {} });
  const changes: Record<ListKind, number> = { tools: 0, resources: 0, prompts: 0 };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes.tools++);
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void changes.resources++);
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => void changes.prompts++);
  await client.connect(transport);
  const pid = transport.pid as number;
  const seen = new Set<number>();
  const sample = setInterval(() => {
    for (const child of descendants(pid)) seen.add(child);
  }, 20);
  const session: DevSession = {
    client,
    pid,
    changes,
    seen,
    stderr: () => stderr,
    async edit(file, content, kinds) {
      const before = { ...changes };
      writeFileSync(join(dir, file), content);
      await waitUntil(
        () => (kinds.every((k) => changes[k] > before[k]) ? true : undefined),
        `list_changed for ${kinds.join(", ")} after editing ${file}\n${stderr}`,
        30_000,
      );
    },
    async close() {
      clearInterval(sample);
      for (const child of descendants(pid)) seen.add(child);
      await client.close();
      await waitUntil(() => (isAlive(pid) ? undefined : true), "fastmcp dev to exit");
    },
  };
  sessions.push(session);
  return session;
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

async function callText(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  expect(result.isError).not.toBe(true);
  return result.content?.[0]?.text as string;
}

/** Server processes must not outlive the session: checks every pid the test saw. */
async function expectNoProcessesLeft(session: DevSession): Promise<void> {
  const left = await waitUntil(
    () => {
      const alive = [...session.seen].filter(isAlive);
      return alive.length === 0 ? alive : undefined;
    },
    `server processes to exit: ${[...session.seen].filter(isAlive).join(", ")}`,
  ).catch(() => [...session.seen].filter(isAlive));
  expect(left).toEqual([]);
}

afterEach(async () => {
  for (const session of sessions.splice(0)) {
    if (isAlive(session.pid)) process.kill(session.pid, "SIGKILL");
    for (const pid of session.seen) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("fastmcp dev", () => {
  it("follows 20 edits (add, change schema, rename, remove) over one connection", async () => {
    let tools: ExtraTool[] = [{ name: "first", params: ["a"] }];
    const dir = makeProject("twenty", tools);
    const dev = await startDev(dir);
    const { client } = dev;
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    expect(await toolNames(client)).toEqual(["crash", "events", "first", "pid", "slow"]);
    expect(await callText(client, "first", { a: "x" })).toBe("first:x");

    const steps: { what: string; apply: (i: number) => Promise<void> }[] = [
      {
        what: "add a tool",
        apply: async (i) => {
          tools = [...tools, { name: `added_${i}`, params: ["a"] }];
          await dev.edit("src/tools.ts", toolsSource(tools), ["tools"]);
          expect(await toolNames(client)).toContain(`added_${i}`);
          expect(await callText(client, `added_${i}`, { a: "1" })).toBe(`added_${i}:1`);
        },
      },
      {
        what: "change a schema",
        apply: async (i) => {
          const last = tools.at(-1) as ExtraTool;
          tools = [...tools.slice(0, -1), { name: last.name, params: [...last.params, `p${i}`] }];
          await dev.edit("src/tools.ts", toolsSource(tools), ["tools"]);
          const listed = (await client.listTools()).tools.find((t) => t.name === last.name);
          expect(listed?.inputSchema.required).toContain(`p${i}`);
          const args = Object.fromEntries([...last.params, `p${i}`].map((p) => [p, p]));
          expect(await callText(client, last.name, args)).toBe(`${last.name}:${Object.keys(args).join(",")}`);
        },
      },
      {
        what: "rename a tool",
        apply: async (i) => {
          const last = tools.at(-1) as ExtraTool;
          tools = [...tools.slice(0, -1), { name: `renamed_${i}`, params: last.params }];
          await dev.edit("src/tools.ts", toolsSource(tools), ["tools"]);
          const names = await toolNames(client);
          expect(names).toContain(`renamed_${i}`);
          expect(names).not.toContain(last.name);
        },
      },
      {
        what: "remove a tool",
        apply: async () => {
          const last = tools.at(-1) as ExtraTool;
          tools = tools.slice(0, -1);
          await dev.edit("src/tools.ts", toolsSource(tools), ["tools"]);
          expect(await toolNames(client)).not.toContain(last.name);
          await expect(client.callTool({ name: last.name, arguments: {} })).rejects.toThrow(/Unknown tool/);
        },
      },
      {
        what: "change a resource and a prompt",
        apply: async (i) => {
          const toolChanges = dev.changes.tools;
          await dev.edit("src/extras.ts", extrasSource(`v${i}`), ["resources", "prompts"]);
          expect(dev.changes.tools).toBe(toolChanges); // only the lists that changed
          const { resources } = await client.listResources();
          expect(resources.find((r) => r.uri === "notes://all")?.description).toBe(`Notes, v${i}.`);
          const { prompts } = await client.listPrompts();
          expect(prompts.find((p) => p.name === "review")?.description).toBe(`Review a text (v${i}).`);
        },
      },
    ];
    for (let i = 1; i <= 20; i++) {
      const step = steps[(i - 1) % steps.length] as (typeof steps)[number];
      try {
        await step.apply(i);
      } catch (error) {
        throw new Error(`edit ${i} (${step.what}) failed: ${(error as Error).message}\n${dev.stderr()}`);
      }
    }
    expect(dev.stderr()).toMatch(/server 21 ready/);
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 120_000);

  it("lets a request in flight finish on the old server, with its progress, then retires it", async () => {
    const dir = makeProject("in-flight", [{ name: "before", params: [] }]);
    const dev = await startDev(dir);
    const { client } = dev;
    const progress: number[] = [];
    const slow = client.callTool({ name: "slow", arguments: { steps: 30 } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
      timeout: 30_000,
    });
    await waitUntil(() => (progress.length > 0 ? true : undefined), "the first progress notification");
    const oldServer = Number(await callText(client, "pid"));
    await dev.edit("src/tools.ts", toolsSource([{ name: "after", params: [] }]), ["tools"]);
    expect(await toolNames(client)).toContain("after");
    expect(await callText(client, "after")).toBe("after:");
    const newServer = Number(await callText(client, "pid"));
    expect(newServer).not.toBe(oldServer);
    expect(isAlive(oldServer)).toBe(true); // still busy with the slow call
    const result = (await slow) as ToolResult;
    // The old server answered it, with every progress step on the way, then exited.
    expect(result.content?.[0]?.text).toBe(`done after 30 steps in process ${oldServer}`);
    // (The SDK may drop a last notification that arrives in the same chunk as the response.)
    expect(progress).toEqual(Array.from({ length: progress.length }, (_, i) => i + 1));
    expect(progress.length).toBeGreaterThanOrEqual(29);
    await waitUntil(() => (isAlive(oldServer) ? undefined : true), "the old server to exit");
    expect(await callText(client, "events")).toBe("");
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("relays a cancellation to the server running the request", async () => {
    const dir = makeProject("cancel", []);
    const dev = await startDev(dir);
    const { client } = dev;
    const controller = new AbortController();
    let progressed = 0;
    const slow = client.callTool({ name: "slow", arguments: { steps: 200 } }, undefined, {
      signal: controller.signal,
      onprogress: () => void progressed++,
    });
    await waitUntil(() => (progressed > 0 ? true : undefined), "progress from the slow tool");
    controller.abort("changed my mind");
    await expect(slow).rejects.toThrow();
    // The handler saw the cancellation (its process recorded it) instead of running on.
    let seen = "";
    for (let i = 0; i < 100 && seen === ""; i++) {
      seen = await callText(client, "events");
      if (seen === "") await sleep(20);
    }
    expect(seen).toBe("slow cancelled");
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("keeps the last good server through a broken edit and recovers when it is fixed", async () => {
    const dir = makeProject("broken", [{ name: "good", params: ["a"] }]);
    const dev = await startDev(dir);
    const { client } = dev;
    const broken = `${toolsSource([{ name: "good", params: ["a"] }])}\nexport const oops: number = "not a number";\n`;
    writeFileSync(join(dir, "src", "tools.ts"), broken);
    await waitUntil(() => (dev.stderr().includes("TS2322") ? true : undefined), "the type error on stderr");
    expect(dev.stderr()).toMatch(/src[/\\]tools\.ts:\d+:\d+ - error TS2322/);
    expect(dev.stderr()).toMatch(/the last good server keeps serving/);
    expect(await toolNames(client)).toContain("good");
    expect(await callText(client, "good", { a: "still" })).toBe("good:still");
    await dev.edit("src/tools.ts", toolsSource([{ name: "fixed", params: [] }]), ["tools"]);
    expect(await toolNames(client)).toEqual(["crash", "events", "fixed", "pid", "slow"]);
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("answers while the first build fails, and serves once it is fixed", async () => {
    const dir = makeProject("broken-at-start", []);
    writeFileSync(join(dir, "src", "tools.ts"), `export const oops: number = "not a number";\n`);
    const dev = await startDev(dir);
    const { client } = dev;
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    expect(await toolNames(client)).toEqual([]);
    expect((await client.listPrompts()).prompts).toEqual([]);
    const call = client.callTool({ name: "slow", arguments: { steps: 1 } });
    await expect(call).rejects.toThrow(/No server is running: the build failed/);
    await dev.edit("src/tools.ts", toolsSource([{ name: "works", params: [] }]), [
      "tools",
      "resources",
      "prompts",
    ]);
    expect(await toolNames(client)).toEqual(["crash", "events", "pid", "slow", "works"]);
    expect(await callText(client, "works")).toBe("works:");
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("turns several saves within 50 ms into one rebuild", async () => {
    const dir = makeProject("rapid", []);
    const dev = await startDev(dir);
    const { client } = dev;
    const readyBefore = dev.stderr().match(/ready with/g)?.length ?? 0;
    const before = dev.changes.tools;
    for (let i = 1; i <= 5; i++) {
      writeFileSync(join(dir, "src", "tools.ts"), toolsSource([{ name: `save_${i}`, params: [] }]));
      await sleep(5);
    }
    await waitUntil(() => (dev.changes.tools > before ? true : undefined), "list_changed");
    await sleep(500); // a second rebuild, if there were one, would be done by now
    expect(dev.changes.tools).toBe(before + 1);
    expect(dev.stderr().match(/ready with/g)?.length).toBe(readyBefore + 1);
    expect(await toolNames(client)).toContain("save_5");
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("gives a clear error for requests of a server that dies, and starts a new one on the next save", async () => {
    const dir = makeProject("crash", []);
    const dev = await startDev(dir);
    const { client } = dev;
    await expect(client.callTool({ name: "crash", arguments: {} })).rejects.toThrow(
      /the server stopped \(exit code 3\) before answering/,
    );
    expect(await toolNames(client)).toEqual([]);
    await expect(client.callTool({ name: "pid", arguments: {} })).rejects.toThrow(
      /No server is running: the server exited \(exit code 3\)/,
    );
    await dev.edit("src/tools.ts", toolsSource([{ name: "back", params: [] }]), ["tools"]);
    expect(await callText(client, "back")).toBe("back:");
    await dev.close();
    await expectNoProcessesLeft(dev);
  }, 60_000);

  it("leaves no process behind when the client goes away without closing stdin", async () => {
    const dir = makeProject("killed", [{ name: "t", params: [] }]);
    const dev = await startDev(dir);
    await callText(dev.client, "t");
    for (const child of descendants(dev.pid)) dev.seen.add(child);
    expect(dev.seen.size).toBeGreaterThanOrEqual(1);
    process.kill(dev.pid, "SIGTERM");
    await waitUntil(() => (isAlive(dev.pid) ? undefined : true), "fastmcp dev to exit on SIGTERM");
    await expectNoProcessesLeft(dev);
    expect(existsSync(join(dir, "dist", "server.mjs"))).toBe(true);
  }, 60_000);
});
