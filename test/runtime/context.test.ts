// The handler Context, driven through createTestContext: cancellation, masks, budgets, spawn, progress, logs.
import { describe, expect, it, vi } from "vitest";
import type { Context } from "../../src/runtime/context.js";
import { Cancelled, isCancelled } from "../../src/runtime/outcome.js";
import { createTestContext } from "../../src/runtime/test-context.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the signal's reason once it fires. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true }),
  );
}

/** What checkpoint() threw, or undefined. */
function thrownBy(ctx: Context): unknown {
  try {
    ctx.checkpoint();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("cancellation", () => {
  it("keeps checkpoint silent until cancel(), then throws Cancelled with reason client", () => {
    const ctx = createTestContext();
    expect(thrownBy(ctx)).toBeUndefined();
    expect(ctx.cancelled).toBe(false);
    ctx.cancel("user pressed stop");
    const error = thrownBy(ctx);
    expect(error).toBeInstanceOf(Cancelled);
    expect(isCancelled(error)).toBe(true);
    expect(error).toMatchObject({ reason: "client", message: expect.stringContaining("user pressed stop") });
    expect(ctx.cancelled).toBe(true);
    expect(thrownBy(ctx)).toBe(error);
  });

  it("fires a signal read before cancel() with the Cancelled as its reason", () => {
    const ctx = createTestContext();
    const signal = ctx.signal;
    const reasons: unknown[] = [];
    signal.addEventListener("abort", () => reasons.push(signal.reason));
    expect(signal.aborted).toBe(false);
    ctx.cancel();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBe(thrownBy(ctx));
    expect(reasons[0]).toMatchObject({ reason: "client" });
    expect(ctx.signal).toBe(signal);
  });

  it("creates a signal read after cancel() already aborted", () => {
    const ctx = createTestContext();
    ctx.cancel();
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(thrownBy(ctx));
  });
});

describe("masked()", () => {
  it("defers a cancellation that arrives inside it until it ends", async () => {
    const ctx = createTestContext();
    const signal = ctx.signal;
    const seen = await ctx.masked(async () => {
      ctx.cancel();
      await sleep(1);
      return { thrown: thrownBy(ctx), aborted: signal.aborted, cancelled: ctx.cancelled };
    });
    expect(seen).toEqual({ thrown: undefined, aborted: false, cancelled: false });
    expect(signal.aborted).toBe(true);
    expect(thrownBy(ctx)).toMatchObject({ reason: "client" });
    expect(ctx.cancelled).toBe(true);
  });

  it("delivers to a signal first read inside the mask when the mask ends", async () => {
    const ctx = createTestContext();
    const signal = await ctx.masked(() => {
      ctx.cancel();
      return ctx.signal;
    });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(thrownBy(ctx));
  });

  it("delivers to a signal first read inside the mask when cancellation came before it", async () => {
    const ctx = createTestContext();
    ctx.cancel();
    const signal = await ctx.masked(() => {
      expect(thrownBy(ctx)).toBeUndefined();
      return ctx.signal;
    });
    expect(thrownBy(ctx)).toMatchObject({ reason: "client" });
    expect(signal.aborted).toBe(true);
  });

  it("delivers only at the end of the outermost of nested masks", async () => {
    const ctx = createTestContext();
    const signal = ctx.signal;
    const events: string[] = [];
    signal.addEventListener("abort", () => events.push("abort"));
    await ctx.masked(async () => {
      await ctx.masked(async () => {
        ctx.cancel();
        await sleep(1);
      });
      events.push(`after inner: thrown=${thrownBy(ctx) !== undefined} cancelled=${ctx.cancelled}`);
      await sleep(1);
    });
    events.push(`after outer: thrown=${thrownBy(ctx) !== undefined} cancelled=${ctx.cancelled}`);
    expect(events).toEqual([
      "after inner: thrown=false cancelled=false",
      "abort",
      "after outer: thrown=true cancelled=true",
    ]);
  });

  it("delivers when the masked function throws, and passes the error on", async () => {
    const ctx = createTestContext();
    const signal = ctx.signal;
    const oops = new Error("oops");
    await expect(
      ctx.masked(() => {
        ctx.cancel();
        throw oops;
      }),
    ).rejects.toBe(oops);
    expect(signal.aborted).toBe(true);
  });
});

describe("budget", () => {
  it("reports the handler's timeoutMs and a decreasing remainingMs", async () => {
    const ctx = createTestContext({ timeoutMs: 5000 });
    expect(ctx.budget.timeoutMs).toBe(5000);
    const first = ctx.budget.remainingMs();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(5000);
    await sleep(5);
    expect(ctx.budget.remainingMs()).toBeLessThan(first);
    expect(ctx.budget.exhausted).toBe(false);
    expect(Number.isFinite(ctx.budget.deadline)).toBe(true);
  });

  it("cancels with reason budget, naming the budget, once the deadline passed", async () => {
    const ctx = createTestContext({ timeoutMs: 30 });
    const signal = ctx.signal;
    await sleep(120);
    const error = thrownBy(ctx);
    expect(error).toBeInstanceOf(Cancelled);
    expect(error).toMatchObject({ reason: "budget", budgetMs: 30 });
    expect((error as Error).message).toContain(ctx.budget.label);
    expect((error as Error).message).toContain("30 ms");
    expect(ctx.budget.exhausted).toBe(true);
    expect(ctx.budget.remainingMs()).toBe(0);
    expect(signal.reason).toBe(error);
  });

  it.each([
    ["no timeoutMs", {}],
    ["timeoutMs 0", { timeoutMs: 0 }],
  ])("is unlimited with %s", (_name, options) => {
    const ctx = createTestContext(options);
    expect(ctx.budget.timeoutMs).toBe(Number.POSITIVE_INFINITY);
    expect(ctx.budget.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(ctx.budget.deadline).toBe(Number.POSITIVE_INFINITY);
    expect(ctx.budget.exhausted).toBe(false);
  });
});

describe("spawn()", () => {
  it.each<[string, number | undefined, number | undefined, number]>([
    ["its own budget when tighter than the parent's", 1000, 50, 50],
    ["the parent's budget when that is tighter", 1000, 5000, 1000],
    ["its own budget under an unlimited parent", undefined, 50, 50],
    ["the parent's budget without one of its own", 1000, undefined, 1000],
    ["no budget when neither has one", undefined, undefined, Number.POSITIVE_INFINITY],
  ])("gives a child %s", async (_name, parentMs, childMs, expected) => {
    const ctx = createTestContext(parentMs === undefined ? {} : { timeoutMs: parentMs });
    const options = childMs === undefined ? {} : { timeoutMs: childMs };
    const budget = await ctx.spawn((child) => child.budget.timeoutMs, options);
    expect(budget).toBe(expected);
  });

  it("gives a grandchild the tighter of its own and its parent's budget", async () => {
    const ctx = createTestContext();
    const budgets = await ctx.spawn(
      async (child) => [
        child.budget.timeoutMs,
        await child.spawn((g) => g.budget.timeoutMs, { timeoutMs: 900 }),
      ],
      { timeoutMs: 100 },
    );
    expect(budgets).toEqual([100, 100]);
  });

  /** Spawns a child with a 20 ms budget that stops at its first checkpoint after its signal fires. */
  async function childOutOfBudget(ctx: Context): Promise<unknown> {
    const child = ctx.spawn(
      async (c) => {
        await aborted(c.signal);
        c.checkpoint();
      },
      { timeoutMs: 20, name: "fetch" },
    );
    return child.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it("rejects a child whose own budget runs out with a Cancelled naming it", async () => {
    const ctx = createTestContext();
    const error = await childOutOfBudget(ctx);
    expect(error).toBeInstanceOf(Cancelled);
    expect(error).toMatchObject({ reason: "budget", budgetMs: 20 });
    expect((error as Error).message).toContain('"fetch"');
    expect((error as Error).message).toContain("20 ms");
  });

  it("makes close() reject with the Cancelled of a child whose own budget ran out", async () => {
    const ctx = createTestContext();
    const error = await childOutOfBudget(ctx);
    await expect(ctx.close()).rejects.toBe(error);
  });

  it("cancels unfinished children on close() and resolves only after they settled", async () => {
    const ctx = createTestContext();
    const events: string[] = [];
    const reasons: unknown[] = [];
    for (const name of ["a", "b"]) {
      void ctx.spawn(async (c) => {
        reasons.push(await aborted(c.signal));
        events.push(`${name} saw abort`);
        await sleep(name === "a" ? 20 : 5);
        events.push(`${name} settled`);
      });
    }
    const closing = ctx.close().then(() => events.push("close resolved"));
    events.push("close called");
    await closing;
    expect(events).toEqual([
      "close called",
      "a saw abort",
      "b saw abort",
      "b settled",
      "a settled",
      "close resolved",
    ]);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).toMatchObject({ reason: "parent" });
    expect(ctx.warnings).toEqual([]);
  });

  it("cancels the siblings of a child that throws", async () => {
    const ctx = createTestContext();
    const boom = new Error("boom");
    const sibling = ctx.spawn(async (c) => aborted(c.signal));
    const failing = ctx.spawn(async () => {
      await sleep(5);
      throw boom;
    });
    await expect(failing).rejects.toBe(boom);
    expect(await sibling).toMatchObject({ reason: "parent" });
    expect(ctx.cancelled).toBe(true);
  });

  it.each<[string, (boom: Error) => unknown]>([
    [
      "asynchronously",
      async (boom) => {
        await sleep(5);
        throw boom;
      },
    ],
    [
      "synchronously",
      (boom) => {
        throw boom;
      },
    ],
  ])("makes close() reject with the error of a child that throws %s", async (_name, body) => {
    const ctx = createTestContext();
    const boom = new Error("boom");
    await expect(ctx.spawn(() => body(boom))).rejects.toBe(boom);
    await expect(ctx.close()).rejects.toBe(boom);
  });

  it("starts a child spawned after cancellation already cancelled", async () => {
    const ctx = createTestContext();
    ctx.cancel();
    const seen = await ctx.spawn((child) => ({
      cancelled: child.cancelled,
      aborted: child.signal.aborted,
      reason: child.signal.reason,
    }));
    expect(seen).toEqual({ cancelled: true, aborted: true, reason: thrownBy(ctx) });
    await expect(ctx.spawn((child) => child.checkpoint())).rejects.toMatchObject({ reason: "client" });
  });

  it("rejects spawn() after close()", async () => {
    const ctx = createTestContext();
    await ctx.close();
    let ran = false;
    await expect(
      ctx.spawn(() => {
        ran = true;
      }),
    ).rejects.toThrow(/ended/);
    expect(ran).toBe(false);
  });

  it("rejects spawn() on the context of a child that ended", async () => {
    const ctx = createTestContext();
    const childCtx = await ctx.spawn((c) => c);
    await expect(childCtx.spawn(() => 1)).rejects.toThrow(/ended/);
  });
});

describe("progress", () => {
  it("records progress only when it increases", () => {
    const ctx = createTestContext();
    ctx.progress(1, 10, "started");
    ctx.progress(1);
    ctx.progress(0.5);
    ctx.progress(Number.NaN);
    ctx.progress(2);
    ctx.progress(10, 10, "done");
    ctx.progress(9);
    expect(ctx.progressEvents).toEqual([
      { progress: 1, total: 10, message: "started" },
      { progress: 2 },
      { progress: 10, total: 10, message: "done" },
    ]);
  });

  it.each<[string, number, string | number | null]>([
    ["null", 0, null],
    ["a string", 1, "tok"],
    ["the number 0", 1, 0],
  ])("with progressToken %s records %i event(s)", (_name, count, progressToken) => {
    const ctx = createTestContext({ progressToken });
    ctx.progress(1);
    expect(ctx.progressEvents).toHaveLength(count);
  });

  it("never sends a non-finite value, which JSON would turn into null", () => {
    const ctx = createTestContext();
    ctx.progress(Number.POSITIVE_INFINITY);
    ctx.progress(1, Number.NaN);
    ctx.progress(2, Number.POSITIVE_INFINITY, "unknown total");
    expect(ctx.progressEvents).toEqual([{ progress: 1 }, { progress: 2, message: "unknown total" }]);
  });

  it("records progress reported from a child task", async () => {
    const ctx = createTestContext();
    await ctx.spawn((child) => child.progress(3, 4));
    expect(ctx.progressEvents).toEqual([{ progress: 3, total: 4 }]);
  });
});

describe("log", () => {
  const levels = ["debug", "info", "notice", "warning", "error"] as const;

  it.each(levels)("records %s messages with and without data", (level) => {
    const ctx = createTestContext();
    ctx.log[level]("with data", { key: [1, 2] });
    ctx.log[level]("plain");
    expect(ctx.logs).toEqual([
      { level, data: { message: "with data", data: { key: [1, 2] } } },
      { level, data: "plain" },
    ]);
  });

  it("drops messages below logLevel", () => {
    const ctx = createTestContext({ logLevel: "warning" });
    for (const level of levels) ctx.log[level](level);
    expect(ctx.logs.map((log) => log.level)).toEqual(["warning", "error"]);
  });

  it("keeps serving when the data cannot be serialised", () => {
    const ctx = createTestContext();
    ctx.log.info("big", { n: 1n });
    expect(ctx.logs).toHaveLength(1);
    expect(ctx.logs[0]?.level).toBe("info");
  });
});

describe("after cancel()", () => {
  it("records no progress and no logs", () => {
    const ctx = createTestContext();
    ctx.progress(1);
    ctx.log.info("before");
    ctx.cancel();
    ctx.progress(2);
    ctx.log.error("after");
    expect(ctx.progressEvents).toEqual([{ progress: 1 }]);
    expect(ctx.logs).toEqual([{ level: "info", data: "before" }]);
  });
});

describe("tasks that ignore cancellation", () => {
  it("are abandoned after cancelGraceMs with a warning", async () => {
    const ctx = createTestContext({ cancelGraceMs: 20 });
    let release: () => void = () => {};
    void ctx.spawn(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    ctx.cancel();
    try {
      await vi.waitFor(() => expect(ctx.warnings).toHaveLength(1), { timeout: 2000, interval: 10 });
      expect(ctx.warnings[0]).toContain("20 ms");
    } finally {
      release();
    }
  });

  it("produce no warning when they stop within the grace period", async () => {
    const ctx = createTestContext({ cancelGraceMs: 20 });
    const child = ctx.spawn(async (c) => {
      await aborted(c.signal);
    });
    ctx.cancel();
    await child;
    await ctx.close();
    await sleep(80);
    expect(ctx.warnings).toEqual([]);
  });
});
