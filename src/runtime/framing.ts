// NDJSON framing (MCP basic/transports "stdio"): one message per line. Works on bytes, so a
// UTF-8 character split across reads is harmless (0x0A never occurs inside one), a long line
// costs O(length), and a line over the limit is dropped instead of growing memory.

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    /** A line exceeded maxLineBytes; the rest of it is skipped. */
    private readonly onOversized: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pendingBytes === 0) {
        if (newline - start > this.maxLineBytes) this.onOversized();
        else this.emit(chunk.toString("utf8", start, newline));
      } else {
        this.pending.push(chunk.subarray(start, newline));
        const total = this.pendingBytes + newline - start;
        const line = Buffer.concat(this.pending, total);
        this.pending = [];
        this.pendingBytes = 0;
        if (total > this.maxLineBytes) this.onOversized();
        else this.emit(line.toString("utf8"));
      }
      start = newline + 1;
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

  /** End of input: a last line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0) this.emit(Buffer.concat(this.pending, this.pendingBytes).toString("utf8"));
    this.pending = [];
    this.pendingBytes = 0;
  }

  private emit(line: string): void {
    const end = line.endsWith("\r") ? line.length - 1 : line.length;
    const text = end === line.length ? line : line.slice(0, end);
    if (text.trim() !== "") this.onLine(text);
  }
}
