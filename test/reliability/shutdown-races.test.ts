// Shutdown races (DESIGN §3 "Lifecycle"), end to end against a server built by `fastmcp build`
// (maxConcurrency 512, so 500 calls all run): stdin EOF or SIGTERM lands while 500 calls of varied
// durations are in flight — some finish before it, some during the grace period, some honour the
// cancellation, some run a child process, some ignore it and are abandoned, some are masked past the
// grace period. Every call is answered exactly once, the exit code is 0, and no child process outlives
// the server. docs/RELIABILITY.md ("Shutdown") lists the variants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltFixture,
  buildFaults,
  killRawStrays,
  type Message,
  type ProcessIdentity,
  processes,
  RawClient,
  sleep,
  stillRunning,
} from "./faults-fixture.js";

let fixture: BuiltFixture;

beforeAll(async () => {
  fixture = await buildFaults({ maxConcurrency: 512 });
}, 60_000);

afterAll(() => {
  fixture?.remove();
  expect(killRawStrays()).toBe(0);
});

const CALLS = 500;
/** The built server's default cancelGraceMs. */
const GRACE_MS = 1000;

type Mode = "honours" | "ignores" | "checkpoints" | "masked" | "children" | "process";
/** What a call must get: its result, an error saying the server is shutting down, or either. */
type Expected = "ok" | "shutdown" | "either";

interface Call {
  readonly id: string;
  readonly mode: Mode;
  readonly ms: number;
  readonly expected: Expected;
  /** Ignores cancellation for longer than the grace period: answered when it is abandoned. */
  readonly stubborn: boolean;
}

/**
 * 500 calls, eight kinds in turn. `sleepMs` is the child processes' duration, unique to the run, so
 * that `sleep <sleepMs / 1000>` finds them in /proc whoever their parent is by then.
 */
function plan(tag: string, sleepMs: number): Call[] {
  return Array.from({ length: CALLS }, (_, i): Call => {
    const call = (mode: Mode, ms: number, expected: Expected, stubborn = false): Call => ({
      id: `${tag}-${i}`,
      mode,
      ms,
      expected,
      stubborn,
    });
    switch (i % 8) {
      case 0:
        return call("ignores", 5 + (i % 20), "ok"); // done before the shutdown, or just after it
      case 1:
        return call("ignores", 200 + ((i * 37) % 600), "ok"); // finishes within the grace period
      case 2:
        return call("honours", 30_000, "shutdown");
      case 3:
        return call("checkpoints", 30_000, "shutdown");
      case 4:
        return call("masked", GRACE_MS + 500, "ok"); // a masked section outlasts the grace period
      case 5:
        return call("children", 30_000, "shutdown");
      case 6:
        return call("process", sleepMs, "shutdown");
      default:
        return call("ignores", 120_000, "shutdown", true); // its timer would keep a process alive for 2 min
    }
  });
}

function lines(calls: readonly Call[], pad: number): string {
  return calls
    .map(({ id, mode, ms }) => {
      const params = { name: "work", arguments: pad > 0 ? { mode, ms, pad } : { mode, ms } };
      return `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params })}\n`;
    })
    .join("");
}

interface Race {
  readonly name: string;
  /**
   * Sets off the shutdown. Unless `inSameWrite`, every call has been read and is running by then
   * (the ping sent behind them has been answered).
   */
  shutdown(server: RawClient, requests: string): Promise<void> | void;
  /** The calls are not sent beforehand: `shutdown` writes them along with the end of input. */
  readonly inSameWrite?: boolean;
  /** The reason the shutdown errors give. */
  readonly reason: RegExp;
  /** A second close (a second signal, say) stops waiting: what would have finished may be cut short. */
  readonly forced?: boolean;
  /** Pad each answer with this many spaces (to fill the pipe of a client that is not reading). */
  readonly pad?: number;
}

const EOF = /the server is shutting down \(end of input\)$/;
const SIGTERM = /the server is shutting down \(received SIGTERM\)$/;

const RACES: Race[] = [
  {
    name: "stdin EOF once all 500 run",
    reason: EOF,
    shutdown: (server) => {
      server.child.stdin.end();
    },
  },
  {
    name: "stdin EOF in the same write as the 500 calls",
    reason: EOF,
    inSameWrite: true,
    shutdown: (server, requests) => {
      server.child.stdin.end(requests);
    },
  },
  {
    name: "SIGTERM once all 500 run",
    reason: SIGTERM,
    shutdown: (server) => {
      server.child.kill("SIGTERM");
    },
  },
  {
    name: "SIGTERM 400 ms later, while answers are being produced",
    reason: SIGTERM,
    async shutdown(server) {
      await sleep(400); // not a timing assertion: answers are due from 200 ms on, the last at 800 ms
      server.child.kill("SIGTERM");
    },
  },
  {
    // Once a signal has closed the server it reads no more, so the EOF counts only when it is read first.
    name: "stdin EOF and SIGTERM at once, in whichever order the server sees them",
    reason: /the server is shutting down \((received SIGTERM|end of input)\)$/,
    forced: true,
    shutdown(server) {
      server.child.stdin.end();
      server.child.kill("SIGTERM");
    },
  },
  {
    name: "SIGTERM, and SIGTERM again once the first shutdown errors arrive (the second stops waiting)",
    reason: SIGTERM,
    forced: true,
    async shutdown(server) {
      server.child.kill("SIGTERM");
      await server.until(
        () => (server.responses.some((m) => m.error !== undefined) ? true : undefined),
        "the first shutdown error",
      );
      server.child.kill("SIGTERM");
    },
  },
  {
    name: "SIGTERM while the client is not reading; it reads again 3 s later",
    reason: SIGTERM,
    pad: 8192, // the answers (1 MB) overfill the 64 KiB pipe while the client is not reading
    async shutdown(server) {
      server.child.stdout.pause();
      server.child.kill("SIGTERM");
      await sleep(3000); // less than the server's 5 s of patience with a client that does not read
      server.child.stdout.resume();
    },
  },
];

function describeAnswer(m: Message | undefined): string {
  return JSON.stringify(m)?.slice(0, 300) ?? "no answer";
}

/** Why `answer` is not what `call` must get, or undefined when it is. */
function mismatch(call: Call, answer: Message, race: Race): string | undefined {
  const error = answer.error as { code: number; message: string } | undefined;
  const result = answer.result as { content: { text: string }[]; isError?: boolean } | undefined;
  const ok = result !== undefined && result.isError === undefined;
  const okText = `${call.mode} ${call.ms}${" ".repeat(race.pad ?? 0)}`;
  if (ok && result.content[0]?.text !== okText)
    return `wrong result for ${call.id}: ${describeAnswer(answer)}`;
  const shutdown =
    error !== undefined &&
    error.code === -32603 &&
    error.message.startsWith('Tool "work" stopped: ') &&
    race.reason.test(error.message);
  const expected = call.expected === "ok" && race.forced ? "either" : call.expected;
  if (expected === "ok" && ok) return undefined;
  if (expected === "shutdown" && shutdown) return undefined;
  if (expected === "either" && (ok || shutdown)) return undefined;
  return `${call.id} (${call.mode} ${call.ms} ms) expected ${expected}, got ${describeAnswer(answer)}`;
}

describe("shutdown while 500 calls are in flight", () => {
  it.each(RACES)(
    "$name: each call answered once, exit 0, no child process left",
    async (race) => {
      const sleepMs = 30_000 + 1 + Math.floor(Math.random() * 999);
      const sleeps = (p: ProcessIdentity) => p.argv[0] === "sleep" && p.argv[1] === String(sleepMs / 1000);
      const calls = plan(race.name.replace(/\W+/g, "-").slice(0, 24), sleepMs);
      const server = new RawClient(fixture.serverPath);
      try {
        await server.initialize();
        const answers = new Map<unknown, Message>();
        server.onResponse = (m) => answers.set(m.id, m);
        const requests = lines(calls, race.pad ?? 0);
        if (!race.inSameWrite) {
          server.write(requests);
          expect((await server.request("ping")).result).toEqual({});
        }
        // The child processes the handlers run when the shutdown is set off (with the calls in the
        // same write, none yet: the scan of every process below still finds any that survived).
        const children = processes((p) => p.parent === server.pid && sleeps(p));
        if (!race.inSameWrite)
          expect(children).toHaveLength(calls.filter((c) => c.mode === "process").length);
        await race.shutdown(server, requests);
        const exit = await server.exited;

        expect(exit).toEqual({ code: 0, signal: null });
        expect(server.foreign).toEqual([]);
        expect(server.unterminated).toBe("");
        const twice = [...server.answers].filter(([, n]) => n > 1).map(([id]) => id);
        expect(twice, "ids answered more than once").toEqual([]);
        const missing = calls.filter((c) => !answers.has(c.id)).map((c) => c.id);
        expect(missing, "calls without an answer").toEqual([]);
        const wrong = calls.map((c) => mismatch(c, answers.get(c.id) as Message, race)).filter(Boolean);
        expect(wrong).toEqual([]);
        expect(server.answers.size).toBe(calls.length + (race.inSameWrite ? 1 : 2)); // initialize, ping

        // Stubborn handlers were abandoned, and said so; no child process of a handler survived.
        for (const c of calls.filter((call) => call.stubborn)) {
          expect(server.stderr).toMatch(new RegExp(`tool "work" \\(request "${c.id}"\\) .*; abandoned`));
        }
        expect(server.stderr).not.toMatch(/unhandled rejection|uncaught exception|could not handle|panic/);
        expect(children.filter(stillRunning)).toEqual([]);
        expect(processes(sleeps)).toEqual([]);
        const ok = calls.filter((c) => answers.get(c.id)?.result !== undefined).length;
        console.info(
          `shutdown race "${race.name}": ${calls.length} calls, ${ok} results and ${calls.length - ok} ` +
            `shutdown errors, each once; ${children.length} child processes running at the shutdown, none after; exit 0`,
        );
      } finally {
        server.kill();
      }
    },
    60_000,
  );
});
