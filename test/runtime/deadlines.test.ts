// DeadlineScheduler: one timer for every deadline, FIFO lists per duration, removal and re-arming.
import { describe, expect, it } from "vitest";
import { DeadlineScheduler, type Timed } from "../../src/runtime/deadlines.js";

interface TestNode extends Timed {
  readonly name: string;
}

/** Records which nodes expired, in order, and lets a test await a given number of expiries. */
class Recorder {
  readonly fired: string[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  node(name: string, onDeadline?: (node: TestNode, now: number) => void): TestNode {
    const node: TestNode = {
      name,
      deadline: 0,
      prevTimed: null,
      nextTimed: null,
      timedList: null,
      onDeadline: (now) => {
        expect(node.timedList, `${name} is unlinked before onDeadline`).toBeNull();
        this.fired.push(name);
        onDeadline?.(node, now);
        const due = this.waiters.filter((w) => this.fired.length >= w.count);
        this.waiters = this.waiters.filter((w) => this.fired.length < w.count);
        for (const waiter of due) waiter.resolve();
      },
    };
    return node;
  }

  /** Resolves once `count` expiries in total have been recorded. */
  expiries(count: number): Promise<void> {
    if (this.fired.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

describe("DeadlineScheduler", () => {
  it("expires nodes of one duration in the order they were added", async () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    for (const name of ["a", "b", "c", "d"]) scheduler.add(rec.node(name), 15, performance.now());
    expect(scheduler.size).toBe(4);
    await rec.expiries(4);
    expect(rec.fired).toEqual(["a", "b", "c", "d"]);
    expect(scheduler.size).toBe(0);
  });

  it("does not call onDeadline for a node removed before its deadline", async () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    const removed = [rec.node("head"), rec.node("middle"), rec.node("tail")];
    const kept = rec.node("kept");
    const now = performance.now();
    scheduler.add(removed[0] as TestNode, 10, now);
    scheduler.add(kept, 10, now);
    scheduler.add(removed[1] as TestNode, 10, now);
    scheduler.add(removed[2] as TestNode, 10, now);
    for (const node of removed) scheduler.remove(node);
    expect(scheduler.size).toBe(1);
    // A later node proves the removed ones had every chance to fire.
    scheduler.add(rec.node("later"), 40, now);
    await rec.expiries(2);
    expect(rec.fired).toEqual(["kept", "later"]);
    expect(removed.every((node) => node.timedList === null)).toBe(true);
  });

  it("ignores remove() of a node that is not scheduled", () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    scheduler.add(rec.node("a"), 1000, performance.now());
    scheduler.remove(rec.node("stranger"));
    expect(scheduler.size).toBe(1);
  });

  it("interleaves several durations by deadline", async () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    // The longest duration is added first, so the timer has to be re-armed for earlier ones.
    scheduler.add(rec.node("long"), 150, performance.now());
    scheduler.add(rec.node("short-1"), 10, performance.now());
    scheduler.add(rec.node("medium"), 80, performance.now());
    scheduler.add(rec.node("short-2"), 10, performance.now());
    expect(scheduler.size).toBe(4);
    await rec.expiries(2);
    expect(rec.fired).toEqual(["short-1", "short-2"]);
    expect(scheduler.size).toBe(2);
    await rec.expiries(4);
    expect(rec.fired).toEqual(["short-1", "short-2", "medium", "long"]);
    expect(scheduler.size).toBe(0);
  });

  it("reschedules a node that is added again while scheduled", async () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    const moved = rec.node("moved");
    scheduler.add(moved, 10, performance.now());
    scheduler.add(moved, 60, performance.now());
    scheduler.add(rec.node("between"), 30, performance.now());
    expect(scheduler.size).toBe(2);
    await rec.expiries(2);
    expect(rec.fired).toEqual(["between", "moved"]);
  });

  it.each([
    ["the same duration", 10, 10],
    ["a different duration (as the grace phase does)", 10, 40],
  ])("fires a node re-added from inside onDeadline with %s again later", async (_name, first, second) => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    let rounds = 0;
    const node = rec.node("grace", (self, now) => {
      if (++rounds === 1) scheduler.add(self, second, now);
    });
    scheduler.add(node, first, performance.now());
    scheduler.add(rec.node("bystander"), first + second + 30, performance.now());
    await rec.expiries(3);
    expect(rec.fired).toEqual(["grace", "grace", "bystander"]);
    expect(scheduler.size).toBe(0);
  });

  it("counts scheduled nodes across durations in size", () => {
    const scheduler = new DeadlineScheduler();
    const rec = new Recorder();
    const nodes = [1000, 2000, 1000, 3000].map((ms, i) => {
      const node = rec.node(`n${i}`);
      scheduler.add(node, ms, performance.now());
      return node;
    });
    expect(scheduler.size).toBe(4);
    scheduler.remove(nodes[1] as TestNode);
    expect(scheduler.size).toBe(3);
    for (const node of nodes) scheduler.remove(node);
    expect(scheduler.size).toBe(0);
  });
});
