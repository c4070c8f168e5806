// Tools for bench/micro/cancel-latency.mjs, written as a user would write them. Each one that
// stops on cancellation reports, on stderr, when its signal fired and when it stopped:
// process.hrtime.bigint() readings (CLOCK_MONOTONIC, the same clock as the driver's), and how
// long after its budget's deadline (ctx.budget.deadline) those were.
import { readFileSync } from "node:fs";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type { Context } from "fastmcp-ts";

/** How a looping tool spends its time between checkpoints. */
export type Pace = "immediate" | "busy" | "sleep";

/**
 * The server's monotonic clock, for the driver's sanity check that both processes share it.
 * @tool clock
 * @readOnly
 */
export function clock(): string {
  return process.hrtime.bigint().toString();
}

/**
 * Loops until cancelled. "immediate": checkpoint, then yield to the event loop; "busy": also ~1 ms
 * of synchronous work per turn; "sleep": one long signal-aware sleep.
 * @tool spin
 * @param tag Echoed in the stderr report
 * @param pace How to spend the time between checkpoints
 */
export async function spin(ctx: Context, tag: string, pace: Pace = "immediate"): Promise<string> {
  return stopwatch(ctx, tag, pace);
}

/**
 * The same loop as `spin`, stopped by its own 20 ms budget.
 * @tool spin_budget
 * @timeout 20ms
 * @param tag Echoed in the stderr report
 * @param pace How to spend the time between checkpoints
 */
export async function spinBudget(ctx: Context, tag: string, pace: Pace = "immediate"): Promise<string> {
  return stopwatch(ctx, tag, pace);
}

async function stopwatch(ctx: Context, tag: string, pace: Pace): Promise<string> {
  const queuedBefore = runQueueMs();
  // The budget's end as the runtime set it, in performance.now() terms (Infinity for none).
  const deadline = ctx.budget.deadline - performance.timeOrigin;
  let fired = 0n;
  let firedLate = Number.NaN;
  ctx.signal.addEventListener("abort", () => {
    fired = process.hrtime.bigint();
    firedLate = performance.now() - deadline;
  });
  ctx.progress(1); // tells the driver the handler is running
  try {
    if (pace === "sleep") await sleep(60_000, undefined, { signal: ctx.signal });
    for (;;) {
      ctx.checkpoint();
      if (pace === "busy") busyFor(1);
      await nextTurn();
    }
  } catch (error) {
    const stopped = process.hrtime.bigint();
    const stoppedLate = performance.now() - deadline;
    const queued = runQueueMs() - queuedBefore;
    const report = { tag, fired: `${fired}`, stopped: `${stopped}`, firedLate, stoppedLate, queued };
    process.stderr.write(`@latency ${JSON.stringify(report)}\n`);
    throw error;
  }
}

/**
 * How long this thread has waited, runnable, for a CPU (Linux schedstat, ms): on a busy machine the
 * OS, not the runtime, delays it. NaN where the file does not exist.
 */
function runQueueMs(): number {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
