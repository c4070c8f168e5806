// The dev watcher: which saves start a rebuild, and how saves close together are batched.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Watcher, watchSources } from "../../src/dev/watch.js";

const QUIET_MS = 50;
const dirs: string[] = [];
const watchers: Watcher[] = [];

afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "fastmcp-watch-"));
  dirs.push(dir);
  for (const sub of ["src/tools", "node_modules/pkg", ".git", "dist", ".fastmcp"]) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  writeFileSync(join(dir, "src", "tools", "a.ts"), "export {};\n");
  return dir;
}

/** Starts a watcher that records batches; `settle()` waits until no batch came for a while. */
function record(dir: string) {
  const batches: string[][] = [];
  watchers.push(watchSources(dir, "dist", QUIET_MS, (files) => batches.push(files.sort())));
  return {
    batches,
    async settle(): Promise<void> {
      let seen = -1;
      while (seen !== batches.length) {
        seen = batches.length;
        await new Promise((r) => setTimeout(r, QUIET_MS * 4));
      }
    },
  };
}

describe("watchSources", () => {
  it("batches saves that come within the quiet window", async () => {
    const dir = project();
    const watch = record(dir);
    for (const name of ["a.ts", "b.ts", "a.ts"]) {
      writeFileSync(join(dir, "src", "tools", name), `// ${Math.random()}\n`);
      await new Promise((r) => setTimeout(r, 5));
    }
    writeFileSync(join(dir, "package.json"), "{}\n");
    await watch.settle();
    expect(watch.batches).toEqual([
      [join(dir, "package.json"), join(dir, "src", "tools", "a.ts"), join(dir, "src", "tools", "b.ts")],
    ]);
  });

  it("makes separate batches of saves further apart", async () => {
    const dir = project();
    const watch = record(dir);
    writeFileSync(join(dir, "src", "tools", "a.ts"), "// 1\n");
    await watch.settle();
    writeFileSync(join(dir, "src", "tools", "a.ts"), "// 2\n");
    await watch.settle();
    expect(watch.batches).toEqual([[join(dir, "src", "tools", "a.ts")], [join(dir, "src", "tools", "a.ts")]]);
  });

  it("ignores node_modules, dot-folders, the output folder and files that are not sources", async () => {
    const dir = project();
    const watch = record(dir);
    writeFileSync(join(dir, "node_modules", "pkg", "index.js"), "\n");
    writeFileSync(join(dir, ".git", "index.json"), "\n");
    writeFileSync(join(dir, ".fastmcp", "table.ts"), "\n");
    writeFileSync(join(dir, "dist", "server.mjs"), "\n");
    writeFileSync(join(dir, "src", "notes.txt"), "\n");
    writeFileSync(join(dir, "src", ".a.ts.swp"), "\n");
    await watch.settle();
    expect(watch.batches).toEqual([]);
  });

  it("watches folders created after it started, and reports what they bring", async () => {
    const dir = project();
    const watch = record(dir);
    mkdirSync(join(dir, "src", "more", "deep"), { recursive: true });
    writeFileSync(join(dir, "src", "more", "deep", "c.ts"), "export {};\n");
    await watch.settle();
    expect(watch.batches.flat()).toContain(join(dir, "src", "more", "deep", "c.ts"));
    const before = watch.batches.length;
    writeFileSync(join(dir, "src", "more", "deep", "c.ts"), "// edited\n");
    await watch.settle();
    expect(watch.batches.slice(before)).toEqual([[join(dir, "src", "more", "deep", "c.ts")]]);
  });

  it("reports a removed folder so its sources drop out of the build", async () => {
    const dir = project();
    const watch = record(dir);
    rmSync(join(dir, "src", "tools"), { recursive: true });
    await watch.settle();
    expect(watch.batches.flat()).toContain(join(dir, "src", "tools", "a.ts"));
  });

  it("reports nothing after close", async () => {
    const dir = project();
    const watch = record(dir);
    (watchers.pop() as Watcher).close();
    writeFileSync(join(dir, "src", "tools", "a.ts"), "// after\n");
    await watch.settle();
    expect(watch.batches).toEqual([]);
  });
});
