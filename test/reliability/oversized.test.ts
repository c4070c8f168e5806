// Oversized lines (issue 6): a server built with `fastmcp build --max-message-bytes 1MiB` answers a
// longer line with -32600 and id null as soon as the line passes the limit, skips the rest of it
// as it streams in (a 200 MB line leaves the server's peak RSS far below 200 MB), and keeps serving.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltFixture, buildFixture, INITIALIZE, type Message, WireServer } from "./fixture.js";

const CLI = fileURLToPath(new URL("../../bin/fastmcp.js", import.meta.url));
const LIMIT = 1024 * 1024;
const MiB = 1024 * 1024;

let fixture: BuiltFixture;
let server: WireServer;
const nullErrors: Message[] = [];

beforeAll(async () => {
  // Built by the CLI: the flag overrides the fixture's own maxMessageBytes (256 KiB).
  fixture = await buildFixture("fuzz");
  await promisify(execFile)(process.execPath, [CLI, "build", fixture.dir, "--max-message-bytes", "1MiB"]);
  const generated = readFileSync(join(fixture.dir, ".fastmcp", "server.ts"), "utf8");
  expect(generated).toContain(`"maxMessageBytes": ${LIMIT}`);
  server = new WireServer(fixture.serverPath);
  server.onMessage = (m) => {
    if (m.id === null) nullErrors.push(m);
  };
  await server.ask(INITIALIZE.split("\n")[0] as string, "init");
  await server.write(`${INITIALIZE.split("\n")[1]}\n`);
}, 120_000);

afterAll(() => {
  server?.kill();
  fixture?.remove();
});

/** A tools/call of echo whose line is exactly `bytes` long (without the newline). */
function echoLine(id: string, bytes: number): string {
  const head = `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"echo","arguments":{"text":"`;
  const tail = '"}}}';
  return `${head}${"x".repeat(bytes - head.length - tail.length)}${tail}`;
}

const LIMIT_ERROR = {
  jsonrpc: "2.0",
  id: null,
  error: { code: -32600, message: `Invalid Request: the message exceeds the ${LIMIT}-byte limit` },
};

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; stderr: ${server.stderr.slice(-500)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("arguments with a problem in every item", () => {
  it("get the first 100 problems listed, without the memory a list of all of them would take", async () => {
    const before = server.peakRss();
    const count = Math.floor((LIMIT - 200) / 3);
    const lines = `[${Array(count).fill("{}").join(",")}]`;
    const id = "every-item-wrong";
    const line = `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"quote","arguments":{"order":{"customer":{"name":"x"},"lines":${lines}}}}}`;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LIMIT);
    const response = await server.ask(line, id);
    const result = response.result as { content: { text: string }[]; isError: boolean };
    expect(result.isError).toBe(true);
    const problems = String(result.content[0]?.text).split("\n- ").slice(1);
    // ajv finds one problem for maxItems and 2 per item (sku and quantity missing): ~700 000.
    expect(problems).toHaveLength(101);
    expect(problems.slice(0, 3)).toEqual([
      "order.lines: must NOT have more than 20 items",
      'order.lines[0]: missing required argument "sku"',
      'order.lines[0]: missing required argument "quantity"',
    ]);
    expect(problems.at(-1)).toBe("(the first 100 problems; there may be more)");
    const grown = server.peakRss() - before;
    console.log(`every item wrong: ${count} items, peak RSS grew ${(grown / MiB).toFixed(0)} MiB`);
    // Uncapped, the ~700 000 ajv error objects and their messages took over 400 MiB.
    expect(grown).toBeLessThan(100 * MiB);
  });
});

describe("a line over maxMessageBytes", () => {
  it("is served when it is exactly the limit, and refused one byte over it", async () => {
    const line = echoLine("exact", LIMIT);
    expect(Buffer.byteLength(line)).toBe(LIMIT);
    const exact = await server.ask(line, "exact");
    const text = (exact.result as { content: { text: string }[] }).content[0]?.text;
    expect(text === JSON.parse(line).params.arguments.text).toBe(true);
    const before = nullErrors.length;
    await server.write(`${echoLine("over", LIMIT + 1)}\n`);
    expect((await server.callTool("add", { a: 1, b: 2 }, "after-over")) as unknown).toMatchObject({
      result: { content: [{ text: "3" }] },
    });
    expect(nullErrors.slice(before)).toEqual([LIMIT_ERROR]);
  });

  it("of 200 MB is refused while it streams in, never held in memory, and the server keeps serving", async () => {
    const before = nullErrors.length;
    const startRss = server.peakRss();
    const head = Buffer.from(echoLine("huge", 200).slice(0, -4));
    const chunk = Buffer.alloc(MiB, "x");
    await server.write(head);
    let written = head.length;
    let refusedAt: number | undefined;
    while (written < 200 * MiB) {
      await server.write(chunk);
      written += chunk.length;
      if (refusedAt === undefined && nullErrors.length > before) refusedAt = written;
    }
    await server.write('"}}}\n');
    await until(() => (nullErrors.length > before ? true : undefined), "the error");
    const pong = await server.ask('{"jsonrpc":"2.0","id":"after-huge","method":"ping"}', "after-huge");
    expect(pong).toEqual({ jsonrpc: "2.0", id: "after-huge", result: {} });
    expect(await server.callTool("echo", { text: "still here" }, "echo-after")).toMatchObject({
      result: { content: [{ type: "text", text: "still here" }] },
    });
    // One error for the whole line (the rest is skipped, not read as new lines), and no answer to it.
    expect(nullErrors.slice(before)).toEqual([LIMIT_ERROR]);
    const peak = server.peakRss();
    console.log(
      `oversized: 200 MiB line to a 1 MiB limit refused after ${refusedAt === undefined ? "the end" : `${(refusedAt / MiB).toFixed(0)} MiB`}; ` +
        `server peak RSS ${(startRss / MiB).toFixed(0)} → ${(peak / MiB).toFixed(0)} MiB`,
    );
    expect(refusedAt, "refused before the line ended").toBeLessThan(100 * MiB);
    // Growth is garbage read chunks awaiting a GC (~40 MiB here), whatever the line's length; buffered, it would be 200 MiB.
    expect(peak).toBeLessThan(startRss + 100 * MiB);
    expect(server.alive).toBe(true);
    expect(await server.end()).toEqual({ code: 0, signal: null });
  }, 300_000);
});

describe("fastmcp dev", () => {
  it("applies --max-message-bytes itself: the relay does not buffer an oversized line for its server", async () => {
    const dev = new WireServer(CLI, ["dev", fixture.dir, "--max-message-bytes", "4KiB"]);
    try {
      const errors: Message[] = [];
      dev.onMessage = (m) => {
        if (m.id === null) errors.push(m);
      };
      const init = await dev.ask(INITIALIZE.split("\n")[0] as string, "init");
      expect(init.result).toMatchObject({ serverInfo: { name: "fuzz" } });
      await dev.write(`${INITIALIZE.split("\n")[1]}\n`);
      await dev.write(`${echoLine("too-long", 5000)}\n`);
      expect(await dev.callTool("echo", { text: "y".repeat(3000) }, "fits")).toMatchObject({
        result: { content: [{ text: "y".repeat(3000) }] },
      });
      expect(errors).toEqual([
        {
          ...LIMIT_ERROR,
          error: {
            ...LIMIT_ERROR.error,
            message: "Invalid Request: the message exceeds the 4096-byte limit",
          },
        },
      ]);
      // 100 MiB more: the relay's memory stays where it was (it used to gather the whole line).
      const start = dev.rss();
      let highest = start;
      await dev.write(Buffer.from(echoLine("huge", 200).slice(0, -4)));
      const chunk = Buffer.alloc(MiB, "z");
      for (let i = 0; i < 100; i++) {
        await dev.write(chunk);
        highest = Math.max(highest, dev.rss());
      }
      await dev.write('"}}}\n');
      expect(await dev.ask('{"jsonrpc":"2.0","id":"after","method":"ping"}', "after")).toMatchObject({
        result: {},
      });
      expect(errors).toHaveLength(2);
      console.log(
        `fastmcp dev: 100 MiB line, relay RSS ${(start / MiB).toFixed(0)} → at most ${(highest / MiB).toFixed(0)} MiB`,
      );
      expect(highest - start).toBeLessThan(64 * MiB);
      expect(await dev.end()).toMatchObject({ code: 0 });
    } finally {
      dev.kill();
    }
  }, 120_000);
});
