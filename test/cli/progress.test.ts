// The progress line: drawn on a terminal once an operation runs long enough, never elsewhere.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { terminalProgress } from "../../src/cli/progress.js";

function stream(isTTY: boolean) {
  const written: string[] = [];
  const s = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    }),
    { isTTY },
  );
  return { s, written };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("terminalProgress", () => {
  it("writes nothing when the stream is not a terminal (CI, pipes)", async () => {
    const { s, written } = stream(false);
    const progress = terminalProgress(s, "fastmcp build", { delayMs: 0, intervalMs: 5 });
    progress.stage("checking types");
    await sleep(30);
    progress.done();
    expect(written).toEqual([]);
  });

  it("shows the current stage on one line once the delay has passed, and clears it at the end", async () => {
    const { s, written } = stream(true);
    const progress = terminalProgress(s, "fastmcp build", { delayMs: 10, intervalMs: 1000 });
    progress.stage("checking types");
    expect(written).toEqual([]);
    await sleep(40);
    progress.stage("bundling");
    progress.done();
    expect(written.length).toBe(3);
    const CLEAR = "\r\x1b[2K";
    expect(written.every((w) => w.startsWith(CLEAR))).toBe(true);
    const lines = written.map((w) => w.slice(CLEAR.length));
    expect(lines[0]).toMatch(/^. fastmcp build: checking types \(\d+\.\d s\)$/);
    expect(lines[1]).toMatch(/^. fastmcp build: bundling \(\d+\.\d s\)$/);
    expect(lines[2]).toBe("");
  });

  it("draws nothing for an operation shorter than the delay", async () => {
    const { s, written } = stream(true);
    const progress = terminalProgress(s, "fastmcp build", { delayMs: 1000 });
    progress.stage("checking types");
    progress.done();
    await sleep(20);
    expect(written).toEqual([]);
  });
});
