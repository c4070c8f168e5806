// LineReader: NDJSON framing of byte chunks into lines, with a per-line size limit.
import { describe, expect, it } from "vitest";
import { LineReader } from "../../src/runtime/framing.js";

/** Feeds `chunks` (strings or raw bytes) to a reader and records what it reports. */
function read(chunks: readonly (string | Buffer)[], maxLineBytes = 1024, end = false) {
  const lines: string[] = [];
  let oversized = 0;
  const reader = new LineReader(
    maxLineBytes,
    (line) => lines.push(line),
    () => oversized++,
  );
  for (const chunk of chunks) reader.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  if (end) reader.end();
  return { lines, oversized };
}

/** Splits the UTF-8 bytes of `text` at the given byte offsets. */
function splitBytes(text: string, ...offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const bounds = [0, ...offsets, bytes.length];
  return bounds.slice(1).map((to, i) => bytes.subarray(bounds[i], to));
}

describe("LineReader", () => {
  it.each([
    ["one line across two chunks", ['{"a":', "1}\n"], ['{"a":1}']],
    ["one line across many chunks", ["ab", "c", "d", "ef\n"], ["abcdef"]],
    ["several lines in one chunk", ["one\ntwo\nthree\n"], ["one", "two", "three"]],
    ["lines and a split straddling chunks", ["one\ntw", "o\nthr", "ee\n"], ["one", "two", "three"]],
    ["a chunk ending exactly at a newline", ["one\n", "two\n"], ["one", "two"]],
    ["CRLF line endings", ["one\r\ntwo\r", "\n"], ["one", "two"]],
    ["blank and whitespace-only lines", ["\n\n  \n\t\r\none\n \r\n"], ["one"]],
    ["inner whitespace kept", ["  padded  \n"], ["  padded  "]],
  ])("delivers %s", (_name, chunks, expected) => {
    expect(read(chunks)).toEqual({ lines: expected, oversized: 0 });
  });

  it.each([
    ["a 2-byte character", "héllo\n", [2]],
    ["a 3-byte character", "a€b\n", [2, 3]],
    ["a 4-byte character over three chunks", "x😀y\n", [2, 3, 4]],
  ])("decodes %s split across chunks", (_name, text, offsets) => {
    expect(read(splitBytes(text, ...offsets)).lines).toEqual([text.slice(0, -1)]);
  });

  it("holds a last line without a newline until end()", () => {
    const lines: string[] = [];
    const reader = new LineReader(
      1024,
      (line) => lines.push(line),
      () => {},
    );
    reader.push(Buffer.from("first\nlast"));
    expect(lines).toEqual(["first"]);
    reader.end();
    expect(lines).toEqual(["first", "last"]);
    reader.end();
    expect(lines).toEqual(["first", "last"]);
  });

  it("emits nothing on end() for a trailing blank fragment", () => {
    expect(read(["one\n  "], 1024, true).lines).toEqual(["one"]);
  });

  it("accepts a line of exactly maxLineBytes, in one chunk or split", () => {
    expect(read(["0123456789\n"], 10)).toEqual({ lines: ["0123456789"], oversized: 0 });
    expect(read(["01234", "56789\n"], 10)).toEqual({ lines: ["0123456789"], oversized: 0 });
  });

  it.each([
    ["within one chunk", ["01234567890123\nnext\n"], ["next"]],
    ["when the newline arrives in a later chunk", ["01234567", "890123\nnext\n"], ["next"]],
    ["when the pending part alone exceeds the limit", ["012345678901", "234\nnext\n"], ["next"]],
    ["over several chunks without a newline", ["0123456789ab", "cdefghijkl", "mnop", "\nnext\n"], ["next"]],
    ["after a complete line in the same chunk", ["ok\n0123456789abcdef", "ghij\nnext\n"], ["ok", "next"]],
  ])("reports an oversized line once %s and still delivers the next one", (_name, chunks, expected) => {
    expect(read(chunks, 10)).toEqual({ lines: expected, oversized: 1 });
  });

  it("reports each of two oversized lines and delivers the lines between them", () => {
    expect(read(["0123456789ab\nmid\n", "0123456789ab", "cd\nend\n"], 10)).toEqual({
      lines: ["mid", "end"],
      oversized: 2,
    });
  });

  it("does not emit the discarded rest of an oversized last line on end()", () => {
    expect(read(["0123456789abc", "def"], 10, true)).toEqual({ lines: [], oversized: 1 });
  });
});

describe("LineReader and invalid UTF-8", () => {
  function readChecked(chunks: readonly Buffer[]) {
    const lines: string[] = [];
    let invalid = 0;
    const reader = new LineReader(
      1024,
      (line) => lines.push(line),
      () => {},
      () => false,
      () => invalid++,
    );
    for (const chunk of chunks) reader.push(chunk);
    reader.end();
    return { lines, invalid };
  }
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

  it.each([
    ["a lone continuation byte", [0x80]],
    ["a truncated 3-byte sequence", [0xe2, 0x82]],
    ["an overlong encoding of /", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a byte that never occurs", [0xff]],
  ])("reports a line with %s instead of delivering it", (_name, bad) => {
    expect(readChecked([bytes('{"a":"', bad, '"}\nok\n')])).toEqual({ lines: ["ok"], invalid: 1 });
    // Split across chunks, and as the last line without a newline.
    expect(readChecked([bytes('{"a":"', bad.slice(0, 1)), bytes(bad.slice(1), '"}\nok')])).toEqual({
      lines: ["ok"],
      invalid: 1,
    });
  });

  it("delivers a line with a real U+FFFD, and one with a character split across chunks", () => {
    const text = "a\ufffdb é 😀";
    expect(readChecked(splitBytes(`${text}\n`, 2, 7, 10))).toEqual({ lines: [text], invalid: 0 });
  });

  it("without the callback, delivers the line with U+FFFD in place of each malformed sequence", () => {
    expect(read([bytes("a", [0xff], "b\n")]).lines).toEqual(["a\ufffdb"]);
  });
});
