// NDJSON framing (MCP basic/transports "stdio"): one message per line. Works on bytes, so a
// UTF-8 character split across reads is harmless (0x0A never occurs inside one), a long line
// costs O(length), and a line over the limit is dropped instead of growing memory. Stops
// between lines when the consumer is full, so one read cannot flood it.
import { isUtf8 } from "node:buffer";

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  /** Input not yet cut into lines because the consumer asked to stop (flow control). */
  private held: Buffer | undefined = undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    /** A line exceeded maxLineBytes; the rest of it is skipped. */
    private readonly onOversized: () => void,
    /** Checked after each line: while true, the rest of the input is held back until resume(). */
    private readonly blocked: () => boolean = () => false,
    /**
     * A line that is not valid UTF-8, reported instead of delivered. Without it such a line is
     * delivered with each malformed sequence replaced by U+FFFD.
     */
    private readonly onInvalidUtf8?: () => void,
  ) {}

  get holding(): boolean {
    return this.held !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.held !== undefined) this.held = Buffer.concat([this.held, chunk]);
    else if (this.blocked()) this.held = chunk;
    else this.consume(chunk, true);
  }

  /** Continues with held input (until the consumer blocks again). */
  resume(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.consume(held, true);
  }

  /** End of input: everything held is delivered, and a last line without a newline still counts. */
  end(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.consume(held, false);
    if (this.pendingBytes > 0)
      this.decode(Buffer.concat(this.pending, this.pendingBytes), 0, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private consume(chunk: Buffer, mayHold: boolean): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pendingBytes === 0) {
        if (newline - start > this.maxLineBytes) this.onOversized();
        else this.decode(chunk, start, newline);
      } else {
        this.pending.push(chunk.subarray(start, newline));
        const total = this.pendingBytes + newline - start;
        const line = Buffer.concat(this.pending, total);
        this.pending = [];
        this.pendingBytes = 0;
        if (total > this.maxLineBytes) this.onOversized();
        else this.decode(line, 0, total);
      }
      start = newline + 1;
      if (mayHold && this.blocked()) {
        if (start < chunk.length) this.held = chunk.subarray(start);
        return;
      }
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !this.discarding) {
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        this.discarding = true;
        this.onOversized();
      } else {
        this.pending.push(start === 0 ? chunk : chunk.subarray(start));
      }
    }
  }

  private decode(bytes: Buffer, start: number, end: number): void {
    if (this.onInvalidUtf8 === undefined) return this.emit(bytes.toString("utf8", start, end));
    const line = decodeUtf8(bytes, start, end);
    if (line === undefined) this.onInvalidUtf8();
    else this.emit(line);
  }

  private emit(line: string): void {
    const end = line.endsWith("\r") ? line.length - 1 : line.length;
    const text = end === line.length ? line : line.slice(0, end);
    if (text.trim() !== "") this.onLine(text);
  }
}

/**
 * The bytes as text, or undefined when they are not valid UTF-8 (lenient decoding would serve ids
 * and arguments the client never sent). The decoder puts U+FFFD for each malformed sequence: only
 * then are the bytes checked, so valid input costs one scan of the text.
 */
export function decodeUtf8(bytes: Buffer, start = 0, end = bytes.length): string | undefined {
  const text = bytes.toString("utf8", start, end);
  return text.includes("\ufffd") && !isUtf8(bytes.subarray(start, end)) ? undefined : text;
}
