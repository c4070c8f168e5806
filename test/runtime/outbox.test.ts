// Outbox: one write per turn, early writes past 64 KiB, holding while congested, and what may be dropped.
import { EventEmitter } from "node:events";
import type { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/runtime/outbox.js";

/** A stream whose write() reports back-pressure while `full` is set. */
class FakeStream extends EventEmitter {
  writes: string[] = [];
  full = false;
  writableLength = 0;
  write = (chunk: string, done?: () => void): boolean => {
    this.writes.push(chunk);
    if (done) queueMicrotask(done);
    return !this.full;
  };
  drain(): void {
    this.full = false;
    this.emit("drain");
  }
}

function setup() {
  const stream = new FakeStream();
  let drained = 0;
  const outbox = new Outbox(stream as unknown as Writable, stream.write, () => drained++);
  return { stream, outbox, drained: () => drained };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Outbox", () => {
  it("joins the messages of one turn into one write", async () => {
    const { stream, outbox } = setup();
    outbox.send("a\n");
    outbox.send("b\n");
    outbox.sendDroppable("c\n");
    expect(stream.writes).toEqual([]);
    await turn();
    expect(stream.writes).toEqual(["a\nb\nc\n"]);
  });

  it("writes at once when 64 KiB have piled up", () => {
    const { stream, outbox } = setup();
    outbox.send(`${"x".repeat(70_000)}\n`);
    expect(stream.writes).toHaveLength(1);
    expect(outbox.stats.peakBacklog).toBe(70_001);
  });

  it("holds messages while congested and writes them after drain", async () => {
    const { stream, outbox, drained } = setup();
    stream.full = true;
    outbox.send("first\n");
    await turn();
    expect(outbox.congested).toBe(true);
    expect(outbox.stats.congestions).toBe(1);
    outbox.send("second\n");
    outbox.send("third\n");
    await turn();
    expect(stream.writes).toEqual(["first\n"]);
    stream.drain();
    expect(stream.writes).toEqual(["first\n", "second\nthird\n"]);
    expect(outbox.congested).toBe(false);
    expect(drained()).toBe(1);
  });

  it("drops notifications, never responses, once a congested backlog passes 1 MiB", async () => {
    const { stream, outbox } = setup();
    stream.full = true;
    outbox.send("first\n");
    await turn();
    const big = `${"r".repeat(1 << 20)}\n`;
    outbox.send(big);
    outbox.sendDroppable("progress\n");
    outbox.send("response\n");
    expect(outbox.stats.droppedNotifications).toBe(1);
    stream.drain();
    expect(stream.writes.at(-1)).toBe(`${big}response\n`);
  });

  it("keeps notifications while the backlog is small", async () => {
    const { stream, outbox } = setup();
    stream.full = true;
    outbox.send("first\n");
    await turn();
    outbox.sendDroppable("progress\n");
    stream.drain();
    expect(stream.writes.at(-1)).toBe("progress\n");
    expect(outbox.stats.droppedNotifications).toBe(0);
  });

  it("flushNow(done) calls back once written, also when nothing is queued", async () => {
    const { stream, outbox } = setup();
    outbox.send("last\n");
    const flushed = new Promise<void>((resolve) => outbox.flushNow(resolve));
    expect(stream.writes).toEqual(["last\n"]);
    await flushed;
    let idle = false;
    outbox.flushNow(() => {
      idle = true;
    });
    expect(idle).toBe(true);
  });

  it("after discard() sends nothing and flushNow(done) returns at once", async () => {
    const { stream, outbox } = setup();
    outbox.send("lost\n");
    outbox.discard();
    outbox.send("also lost\n");
    let done = false;
    outbox.flushNow(() => {
      done = true;
    });
    await turn();
    expect(done).toBe(true);
    expect(stream.writes).toEqual([]);
  });
});
