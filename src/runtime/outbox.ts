// Batched, back-pressured output. Messages produced in one turn of the event loop leave in one
// write (or sooner, once 64 KiB have piled up). When the stream reports back-pressure the outbox holds messages itself (bounded: at
// most one response per in-flight request, plus droppable notifications up to a limit) until
// 'drain', and `congested` tells the connection to stop taking work.
import type { Writable } from "node:stream";
import type { Outbound } from "./requests.js";

/** Notifications beyond this many queued bytes are dropped while the peer is not reading. */
const DROPPABLE_BACKLOG_BYTES = 1 << 20;
/** A backlog this large is written without waiting for the end of the turn. */
const FLUSH_AT = 1 << 16;

export interface OutboxStats {
  congestions: number;
  droppedNotifications: number;
  /** Largest backlog of unwritten messages, in UTF-16 code units. */
  peakBacklog: number;
}

export class Outbox implements Outbound {
  congested = false;
  readonly stats: OutboxStats = { congestions: 0, droppedNotifications: 0, peakBacklog: 0 };
  private parts: string[] = [];
  private backlog = 0;
  private scheduled = false;
  /** The stream failed (the peer closed its end): nothing can be delivered any more. */
  private broken = false;

  constructor(
    private readonly stream: Writable,
    private readonly write: (chunk: string, done?: () => void) => boolean,
    /** Called after a congested stream drained. */
    private readonly onDrain: () => void,
  ) {}

  send(line: string): void {
    if (this.broken) return;
    this.parts.push(line);
    this.backlog += line.length;
    if (this.backlog > this.stats.peakBacklog) this.stats.peakBacklog = this.backlog;
    if (this.congested) return;
    // Large output leaves at once, so the stream can push back before more piles up.
    if (this.backlog >= FLUSH_AT) this.flushNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  sendDroppable(line: string): void {
    if (this.congested && this.backlog > DROPPABLE_BACKLOG_BYTES) {
      this.stats.droppedNotifications++;
      return;
    }
    this.send(line);
  }

  /** Drops what is queued and everything sent later. */
  discard(): void {
    this.broken = true;
    this.parts = [];
    this.backlog = 0;
  }

  /** Writes what is queued now; `done` runs once everything written so far has been flushed. */
  flushNow(done?: () => void): void {
    if (this.broken) {
      done?.();
      return;
    }
    if (this.parts.length === 0) {
      if (done === undefined) return;
      if (this.stream.writableLength === 0) done();
      else this.write("", done);
      return;
    }
    const chunk = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join("");
    this.parts = [];
    this.backlog = 0;
    if (!this.write(chunk, done) && !this.congested) {
      this.congested = true;
      this.stats.congestions++;
      this.stream.once("drain", this.drained);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (!this.congested) this.flushNow();
  };

  private readonly drained = (): void => {
    this.congested = false;
    this.flushNow();
    if (!this.congested) this.onDrain();
  };
}
