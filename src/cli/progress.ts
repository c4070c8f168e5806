// A one-line progress display for long operations, on a terminal only: in CI (no TTY) it prints
// nothing, so logs stay clean. Nothing is drawn for the first `delayMs` either: a quick build
// should not flash a spinner.
import type { Writable } from "node:stream";

export interface Progress {
  /** What is happening now, e.g. "checking types". */
  stage(name: string): void;
  /** Clears the line (if anything was drawn). */
  done(): void;
}

export interface ProgressOptions {
  /** How long an operation runs before the line appears (default 250 ms). */
  readonly delayMs?: number;
  /** How often the spinner turns (default 80 ms). */
  readonly intervalMs?: number;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";

export function terminalProgress(
  stream: Writable & { isTTY?: boolean },
  label: string,
  options: ProgressOptions = {},
): Progress {
  if (stream.isTTY !== true) return { stage: () => {}, done: () => {} };
  const started = performance.now();
  let current = "";
  let frame = 0;
  let drawn = false;
  const draw = () => {
    drawn = true;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${label}: ${current} (${seconds} s)`);
  };
  let timer: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, options.intervalMs ?? 80);
    timer.unref();
  }, options.delayMs ?? 250);
  delay.unref();
  return {
    stage(name) {
      current = name;
      if (drawn) draw();
    },
    done() {
      clearTimeout(delay);
      clearInterval(timer);
      if (drawn) stream.write(CLEAR_LINE);
    },
  };
}
