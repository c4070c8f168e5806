// Shutdown (DESIGN §3 "Lifecycle"): stdin EOF, SIGINT, SIGTERM — stop reading, cancel, drain, flush, exit 0.
import { afterAll, describe, expect, it } from "vitest";
import { connect, isAlive, killStrays, type Message, RawServer } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

/** Starts an initialized server, runs `body`, and makes sure the process is gone afterwards. */
async function withServer(flags: string[], body: (server: RawServer) => Promise<void>): Promise<void> {
  const server = new RawServer(flags);
  try {
    await server.initialize();
    await body(server);
  } finally {
    server.kill();
    await server.exited;
  }
}

/**
 * Sends the calls without waiting for them, then a ping. The server reads its input in order
 * and answers ping at once, so once the ping is answered every call has been received and is in
 * flight (or queued), and none of them can be confused with a call that never arrived.
 */
async function inFlight(server: RawServer, calls: [id: string, name: string, args: object][]): Promise<void> {
  for (const [id, name, args] of calls) {
    server.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
  }
  expect((await server.request("ping")).result).toEqual({});
}

/** Every response (not notification) on the wire, by id; fails if an id was answered twice. */
function responsesById(server: RawServer): Map<unknown, Message> {
  const byId = new Map<unknown, Message>();
  for (const m of server.messages) {
    if ("method" in m) continue;
    expect(byId.has(m.id), `id ${JSON.stringify(m.id)} answered twice`).toBe(false);
    byId.set(m.id, m);
  }
  return byId;
}

function calls(prefix: string, count: number, name: string, args: object): [string, string, object][] {
  return Array.from({ length: count }, (_, i) => [`${prefix}${i}`, name, args]);
}

function okResult(message: Message | undefined): ToolResult {
  expect(message).toBeDefined();
  expect(message).not.toHaveProperty("error");
  const result = (message as { result: ToolResult }).result;
  expect(result.isError).toBeUndefined();
  return result;
}

function errorMessage(message: Message | undefined): string {
  expect(message).toBeDefined();
  expect(message).toHaveProperty("error");
  const error = (message as { error: { code: number; message: string } }).error;
  expect(typeof error.code).toBe("number");
  return error.message;
}

async function expectGone(server: RawServer): Promise<void> {
  const exit = await server.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(isAlive(server.child.pid as number)).toBe(false);
}

describe("stdin EOF", () => {
  it("flushes the responses of handlers that finish during the grace period, each once", async () => {
    await withServer(["--grace", "5000"], async (server) => {
      const busy = calls("busy-", 20, "busy", { ms: 300 });
      await inFlight(server, busy);
      const exit = await server.end();
      expect(exit.code).toBe(0);
      const byId = responsesById(server);
      for (const [id] of busy) expect(okResult(byId.get(id)).content[0]?.type).toBe("text");
      expect(byId.size).toBe(20 + 2); // initialize, ping
      await expectGone(server);
    });
  });

  it("cancels handlers that honour cancellation and answers each with a shutdown error", async () => {
    await withServer([], async (server) => {
      const sleeping = calls("sleep-", 5, "sleep", { ms: 10_000 });
      await inFlight(server, sleeping);
      expect((await server.end()).code).toBe(0);
      const byId = responsesById(server);
      for (const [id] of sleeping) expect(errorMessage(byId.get(id))).toMatch(/shutting down/);
      await expectGone(server);
    });
  });

  it("abandons a handler that ignores cancellation once --grace has passed", async () => {
    await withServer(["--grace", "300"], async (server) => {
      await inFlight(server, [["stuck", "busy", { ms: 60_000 }]]);
      expect((await server.end()).code).toBe(0);
      expect(errorMessage(responsesById(server).get("stuck"))).toMatch(/shutting down|stopped/);
      expect(server.stderr).toMatch(/abandoned/);
      expect(server.stderr).toContain('"stuck"');
      await expectGone(server);
    });
  });

  it("refuses queued requests as not started because the server is shutting down", async () => {
    await withServer(["--max-concurrency", "1"], async (server) => {
      const five = calls("q-", 5, "sleep", { ms: 10_000 });
      await inFlight(server, five);
      expect((await server.end()).code).toBe(0);
      const byId = responsesById(server);
      // The first one runs and is cancelled; the other four never started.
      expect(errorMessage(byId.get("q-0"))).toMatch(/shutting down/);
      expect(errorMessage(byId.get("q-0"))).not.toMatch(/not started/i);
      for (const [id] of five.slice(1)) {
        const message = errorMessage(byId.get(id));
        expect(message).toMatch(/not started/i);
        expect(message).toMatch(/shutting down/);
      }
      await expectGone(server);
    });
  });
});

describe("signals", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s with calls in flight behaves like EOF", async (signal) => {
    await withServer(["--grace", "5000"], async (server) => {
      const busy = calls("busy-", 10, "busy", { ms: 500 });
      const sleeping = calls("sleep-", 3, "sleep", { ms: 10_000 });
      await inFlight(server, [...busy, ...sleeping]);
      server.child.kill(signal);
      const exit = await server.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const byId = responsesById(server);
      for (const [id] of busy) okResult(byId.get(id));
      for (const [id] of sleeping) {
        const message = errorMessage(byId.get(id));
        expect(message).toMatch(/shutting down/);
        expect(message).toContain(signal);
      }
      expect(byId.size).toBe(busy.length + sleeping.length + 2);
      await expectGone(server);
    });
  });

  it("stops waiting for stubborn handlers on a second SIGTERM", async () => {
    await withServer(["--grace", "60000"], async (server) => {
      const stubborn = calls("stubborn-", 2, "busy", { ms: 60_000 });
      await inFlight(server, [...stubborn, ["polite", "sleep", { ms: 60_000 }]]);
      server.child.kill("SIGTERM");
      // The first signal took effect: the call that honours cancellation has been answered.
      const polite = await server.waitFor((m) => m.id === "polite" && !("method" in m));
      expect(errorMessage(polite)).toMatch(/shutting down/);
      expect(server.child.exitCode).toBeNull();
      for (const [id] of stubborn) expect(server.messages.some((m) => m.id === id)).toBe(false);
      server.child.kill("SIGTERM");
      const exit = await server.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const byId = responsesById(server);
      for (const [id] of stubborn) expect(errorMessage(byId.get(id))).toMatch(/shutting down|stopped/);
      expect(server.stderr).toMatch(/abandoned/);
      await expectGone(server);
    });
  });
});

describe("through the SDK client", () => {
  it("leaves no server process behind when the client closes with a call in flight", async () => {
    const session = await connect();
    let pid = 0;
    try {
      const { client } = session;
      pid = session.pid;
      expect(isAlive(pid)).toBe(true);
      const call = client.callTool({ name: "sleep", arguments: { ms: 10_000 } }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      await client.ping(); // the server has read the call
      await session.close();
      const outcome = await call;
      expect(outcome).toHaveProperty("error");
      // The server closed on EOF (not on the SIGTERM the SDK sends after 2 s), answering the call.
      expect(String((outcome as { error: unknown }).error)).toMatch(/shutting down \(end of input\)/);
      const deadline = Date.now() + 10_000;
      while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(isAlive(pid)).toBe(false);
    } finally {
      await session.close();
      if (pid !== 0 && isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
