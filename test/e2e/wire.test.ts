// Raw wire (MCP basic/transports "stdio", JSON-RPC 2.0): framing, malformed input, ids, and a clean stdout.
import { afterAll, describe, expect, it } from "vitest";
import { killStrays, type Message, RawServer, sleep } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

/** Runs `body` against a fresh server, then closes its stdin and expects a clean exit. */
async function withServer(flags: string[], body: (server: RawServer) => Promise<void>): Promise<void> {
  const server = new RawServer(flags);
  try {
    await body(server);
    expect((await server.end()).code).toBe(0);
  } finally {
    server.kill();
    await server.exited;
  }
}

let probes = 0;

/**
 * Writes `raw`, then a ping probe, and returns every line the server wrote in between. The
 * server reads its input in order and answers malformed lines and pings synchronously, so a
 * line answering `raw` can only come before the probe's answer.
 */
async function answersTo(
  server: RawServer,
  raw: string | Buffer,
): Promise<{ lines: string[]; all: Message[] }> {
  const from = server.lines.length;
  const probe = `probe-${++probes}`;
  server.write(raw);
  const pong = await server.request("ping", undefined, probe);
  expect(pong).toEqual({ jsonrpc: "2.0", id: probe, result: {} });
  const lines = server.lines.slice(from);
  const all = lines.map((line) => JSON.parse(line) as Message);
  const at = all.findIndex((m) => m.id === probe);
  expect(at).toBe(all.length - 1);
  return { lines: lines.slice(0, at), all: all.slice(0, at) };
}

function errorOf(message: Message | undefined): { code: number; message: string } {
  expect(message).toHaveProperty("error");
  return (message as { error: { code: number; message: string } }).error;
}

/** The text of a one-block tool result. */
function textOf(message: Message): string {
  const result = message.result as { content: { type: string; text: string }[]; isError?: boolean };
  expect(result.isError).toBeUndefined();
  expect(result.content).toHaveLength(1);
  return (result.content[0] as { text: string }).text;
}

function line(message: object): string {
  return `${JSON.stringify(message)}\n`;
}

describe("malformed input", () => {
  it("answers a line that is not JSON with -32700 and id null, then keeps serving", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      for (const bad of ["{not json", '{"jsonrpc":"2.0","id":1,"method":"ping"', "\u00ff\u00fe garbage"]) {
        const { lines, all } = await answersTo(server, `${bad}\n`);
        expect(all).toHaveLength(1);
        expect(lines[0]).toContain('"id":null');
        expect(all[0]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
        expect(typeof errorOf(all[0]).message).toBe("string");
      }
      const sum = await server.call("add", { a: 2, b: 3 });
      expect(textOf(sum)).toBe("5");
    });
  });

  it("answers JSON values that are not objects, and batches, with -32600 and id null", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const batch = JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "ping" },
        { jsonrpc: "2.0", id: 2, method: "ping" },
      ]);
      for (const value of ["42", '"s"', "null", "true", "[]", "[1,2]", batch]) {
        const { lines, all } = await answersTo(server, `${value}\n`);
        expect(all, value).toHaveLength(1);
        expect(lines[0]).toContain('"id":null');
        expect(all[0]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      }
      expect(textOf(await server.call("add", { a: 1, b: 1 }))).toBe("2");
    });
  });

  it("answers an object with an id but no method with -32600 and that id", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      for (const [raw, id] of [
        [{ jsonrpc: "2.0", id: 9 }, 9],
        [{ jsonrpc: "2.0", id: "nine" }, "nine"],
        [{ jsonrpc: "2.0", id: 10, method: 42 }, 10],
        [{ jsonrpc: "2.0", id: 11, params: {} }, 11],
      ] as const) {
        const { all } = await answersTo(server, line(raw));
        expect(all).toEqual([{ jsonrpc: "2.0", id, error: expect.objectContaining({ code: -32600 }) }]);
      }
    });
  });

  it('answers a request whose jsonrpc is not "2.0" with -32600', async () => {
    await withServer([], async (server) => {
      await server.initialize();
      for (const jsonrpc of ["1.0", 2, null, undefined]) {
        const { all } = await answersTo(server, line({ jsonrpc, id: "v", method: "ping" }));
        expect(all, String(jsonrpc)).toHaveLength(1);
        expect(errorOf(all[0]).code).toBe(-32600);
        expect(all[0]?.id === "v" || all[0]?.id === null).toBe(true);
      }
    });
  });

  it("answers ids of the wrong type with -32600 and id null", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      for (const id of [{ a: 1 }, [1], true, false, null]) {
        const { lines, all } = await answersTo(server, line({ jsonrpc: "2.0", id, method: "ping" }));
        expect(all, JSON.stringify(id)).toHaveLength(1);
        expect(lines[0]).toContain('"id":null');
        expect(all[0]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      }
    });
  });

  it("answers params that are not an object with -32600 (an invalid Request object)", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      let n = 0;
      for (const params of [5, "s", true, null, [1, 2], []]) {
        const id = `p${++n}`;
        const { all } = await answersTo(server, line({ jsonrpc: "2.0", id, method: "tools/call", params }));
        expect(all, JSON.stringify(params)).toEqual([
          { jsonrpc: "2.0", id, error: expect.objectContaining({ code: -32600 }) },
        ]);
      }
    });
  });

  it("answers an unknown method with -32601", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      for (const method of ["tools/frobnicate", "nope", "notifications/initialized"]) {
        const response = await server.request(method, {});
        expect(errorOf(response).code, method).toBe(-32601);
      }
    });
  });
});

describe("messages that get no answer", () => {
  it("ignores unknown notifications, stray cancellations and a repeated notifications/initialized", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const silent = [
        { jsonrpc: "2.0", method: "notifications/whatever" },
        { jsonrpc: "2.0", method: "notifications/whatever", params: 5 },
        { jsonrpc: "2.0", method: "some/other/method", params: {} },
        { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "never-sent" } },
        { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 12345, reason: "x" } },
        { jsonrpc: "2.0", method: "notifications/cancelled" },
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", method: "notifications/initialized", params: {} },
        { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      ];
      for (const message of silent) {
        expect((await answersTo(server, line(message))).all, JSON.stringify(message)).toEqual([]);
      }
      expect(textOf(await server.call("add", { a: 1, b: 2 }))).toBe("3");
    });
  });

  it("ignores a cancellation of a request that already finished", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      await server.call("add", { a: 1, b: 2 }, "done-1");
      const cancel = { requestId: "done-1", reason: "too late" };
      const { all } = await answersTo(
        server,
        line({ jsonrpc: "2.0", method: "notifications/cancelled", params: cancel }),
      );
      expect(all).toEqual([]);
    });
  });

  it.each([
    ["a result", { jsonrpc: "2.0", id: "x", result: {} }],
    ["a result with a numeric id", { jsonrpc: "2.0", id: 7, result: { ok: true } }],
    ["an error", { jsonrpc: "2.0", id: 8, error: { code: -32603, message: "boom" } }],
    // JSON-RPC 2.0 §5: an error response to a request whose id could not be read has id null.
    ["an error with id null", { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }],
  ])("does not answer a response-shaped message (%s)", async (_what, message) => {
    await withServer([], async (server) => {
      await server.initialize();
      expect((await answersTo(server, line(message))).all).toEqual([]);
    });
  });
});

describe("before initialize", () => {
  it("answers requests with -32600 but answers ping", async () => {
    await withServer([], async (server) => {
      expect((await server.request("ping", {})).result).toEqual({});
      for (const [method, params] of [
        ["tools/list", {}],
        ["tools/call", { name: "add", arguments: { a: 1, b: 2 } }],
        ["resources/list", {}],
        ["prompts/get", { name: "greeting", arguments: { name: "x" } }],
      ] as const) {
        const response = await server.request(method, params);
        expect(errorOf(response).code, method).toBe(-32600);
      }
      await server.initialize();
      expect(textOf(await server.call("add", { a: 1, b: 2 }))).toBe("3");
    });
  });
});

describe("request ids", () => {
  const ids: (string | number)[] = [0, "0", -7, 2 ** 53 - 1, "id-ünï-🌍", ""];

  it.each(ids.map((id) => [JSON.stringify(id), id]))(
    "returns id %s identical in type and value",
    async (_label, id) => {
      await withServer([], async (server) => {
        for (const exchange of [
          () => server.request("ping", undefined, id),
          async () => {
            await server.initialize();
            return server.call("add", { a: 20, b: 22 }, id);
          },
          () => server.call("sleep", { ms: 1 }, id),
        ]) {
          const from = server.lines.length;
          const response = await exchange();
          expect(typeof response.id).toBe(typeof id);
          expect(Object.is(response.id, id)).toBe(true);
          expect(response).not.toHaveProperty("error");
          // The same value on the raw line, not just after a lossy parse.
          const raw = server.lines.slice(from).find((l) => (JSON.parse(l) as Message).id === id);
          expect(raw).toContain(`"id":${JSON.stringify(id)}`);
        }
      });
    },
  );
});

describe("framing", () => {
  it("reassembles a request split over several writes, cutting UTF-8 characters in half", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const message = "héllo 🌍 wörld — ✓";
      const bytes = Buffer.from(
        line({
          jsonrpc: "2.0",
          id: "split",
          method: "tools/call",
          params: { name: "echo", arguments: { message } },
        }),
      );
      const globe = bytes.indexOf(Buffer.from("🌍"));
      const e = bytes.indexOf(Buffer.from("é"));
      const cuts = [0, 7, e + 1, globe + 1, globe + 3, bytes.length - 1, bytes.length];
      const from = server.messages.length;
      for (let i = 1; i < cuts.length; i++) {
        server.write(bytes.subarray(cuts[i - 1], cuts[i]));
        await sleep(20); // lets each piece arrive as its own read; correctness does not depend on it
      }
      const response = await server.waitFor((m) => m.id === "split", 10_000, from);
      expect(textOf(response)).toBe(message);
    });
  });

  it("answers three requests written at once", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const from = server.messages.length;
      server.write(
        line({ jsonrpc: "2.0", id: "a", method: "ping" }) +
          line({
            jsonrpc: "2.0",
            id: "b",
            method: "tools/call",
            params: { name: "add", arguments: { a: 1, b: 2 } },
          }) +
          line({
            jsonrpc: "2.0",
            id: "c",
            method: "tools/call",
            params: { name: "echo", arguments: { message: "m" } },
          }),
      );
      await server.until(() => (server.messages.length - from >= 3 ? true : undefined));
      const got = server.messages.slice(from);
      expect(got.map((m) => m.id).sort()).toEqual(["a", "b", "c"]);
      expect(got.find((m) => m.id === "a")?.result).toEqual({});
      expect(textOf(got.find((m) => m.id === "b") as Message)).toBe("3");
      expect(textOf(got.find((m) => m.id === "c") as Message)).toBe("m");
    });
  });

  it("accepts CRLF line endings and skips blank lines", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const blank = "\n\r\n   \n\t\r\n";
      expect((await answersTo(server, blank)).all).toEqual([]);
      const from = server.messages.length;
      server.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: "crlf-1", method: "ping" })}\r\n\r\n` +
          `${JSON.stringify({ jsonrpc: "2.0", id: "crlf-2", method: "tools/call", params: { name: "echo", arguments: { message: "x" } } })}\r\n\n`,
      );
      await server.until(() => (server.messages.length - from >= 2 ? true : undefined));
      const got = server.messages.slice(from);
      expect(got.map((m) => m.id).sort()).toEqual(["crlf-1", "crlf-2"]);
      expect(got.find((m) => m.id === "crlf-1")?.result).toEqual({});
      expect(textOf(got.find((m) => m.id === "crlf-2") as Message)).toBe("x");
      // CRLF on the probe itself.
      const { all } = await answersTo(
        server,
        `${JSON.stringify({ jsonrpc: "2.0", id: "crlf-3", method: "ping" })}\r\n`,
      );
      expect(all).toEqual([{ jsonrpc: "2.0", id: "crlf-3", result: {} }]);
    });
  });

  it("round-trips a 5 MiB echo line exactly", async () => {
    await withServer([], async (server) => {
      await server.initialize();
      const unit = 'abc "quoted" \\ back\\slash\ttab\nnewline ünï 🌍 \u0001 \u2028 end. ';
      const message = unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length)).slice(0, 5 * 1024 * 1024);
      const request = line({
        jsonrpc: "2.0",
        id: "big",
        method: "tools/call",
        params: { name: "echo", arguments: { message } },
      });
      expect(Buffer.byteLength(request)).toBeGreaterThan(5 * 1024 * 1024);
      const from = server.messages.length;
      server.write(request);
      const response = await server.waitFor((m) => m.id === "big", 60_000, from);
      const text = textOf(response);
      expect(text.length).toBe(message.length);
      expect(text === message).toBe(true);
      expect(textOf(await server.call("add", { a: 1, b: 1 }))).toBe("2");
    });
  }, 90_000);

  it("rejects a line over --max-message-bytes with -32600 and id null, then keeps serving", async () => {
    await withServer(["--max-message-bytes", "100000"], async (server) => {
      await server.initialize();
      const huge = line({
        jsonrpc: "2.0",
        id: "huge",
        method: "tools/call",
        params: { name: "echo", arguments: { message: "y".repeat(200_000) } },
      });
      const { lines, all } = await answersTo(server, huge);
      expect(all).toHaveLength(1);
      expect(lines[0]).toContain('"id":null');
      expect(all[0]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      expect(server.messages.some((m) => m.id === "huge")).toBe(false);
      // The rest of the long line is skipped, not parsed as a new message; the next one works.
      expect(textOf(await server.call("echo", { message: "after" }))).toBe("after");
      const fits = "z".repeat(90_000);
      expect(textOf(await server.call("echo", { message: fits }))).toBe(fits);
    });
  });
});

describe("stdout carries protocol messages only", () => {
  it("sends console.* and process.stdout.write from handlers to stderr", async () => {
    await withServer([], async (server) => {
      let raw = "";
      server.child.stdout.on("data", (chunk: string) => {
        raw += chunk;
      });
      const closed = new Promise((resolve) => server.child.once("close", resolve));
      await server.initialize();
      for (let i = 0; i < 3; i++) expect(textOf(await server.call("noisy", {}))).toBe("printed");
      await Promise.all([
        server.call("noisy", {}),
        server.call("add", { a: 1, b: 2 }),
        server.call("noisy", {}),
      ]);
      const printed = [
        "console.log from a handler",
        "console.info from a handler",
        "console.debug from a handler",
        "console.warn from a handler",
        "(index)",
        "process.stdout.write from a handler",
      ];
      await server.until(() => (printed.every((p) => server.stderr.includes(p)) ? true : undefined));
      expect((await server.end()).code).toBe(0);
      await closed;
      expect(raw.endsWith("\n")).toBe(true);
      const lines = raw.slice(0, -1).split("\n");
      expect(lines).toEqual(server.lines);
      expect(lines.length).toBeGreaterThanOrEqual(7);
      for (const text of lines) {
        const message = JSON.parse(text) as Message;
        expect(message.jsonrpc, text).toBe("2.0");
        expect(typeof message).toBe("object");
      }
      expect(server.messages).toHaveLength(lines.length);
      for (const p of printed) expect(raw).not.toContain(p);
    });
  });
});
