// Watches a project for source changes and reports them in batches: saves that come within
// `quietMs` of each other (an editor saving several files, a formatter rewriting one) make one
// batch. One non-recursive watcher per directory, skipping node_modules, dot-directories and the
// output folder: a recursive watch would walk (and hold a watch on) every folder of node_modules.
import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, resolve, sep } from "node:path";

const SOURCE = /\.(m?[jt]s|c[jt]s|tsx|jsx|json)$/;
const SKIPPED_DIRS = new Set(["node_modules"]);

export interface Watcher {
  close(): void;
}

/** Calls `onBatch` with the absolute paths that changed, once they have been quiet for `quietMs`. */
export function watchSources(
  dir: string,
  outDir: string,
  quietMs: number,
  onBatch: (files: string[]) => void,
): Watcher {
  const output = resolve(dir, outDir);
  const watchers = new Map<string, FSWatcher>();
  const batch = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const skipped = (path: string, name: string): boolean =>
    name.startsWith(".") || SKIPPED_DIRS.has(name) || path === output;

  const changed = (path: string): void => {
    batch.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...batch];
      batch.clear();
      onBatch(files);
    }, quietMs);
  };

  const isDirectory = (path: string): boolean => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  };

  const add = (path: string): void => {
    if (closed || watchers.has(path)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(path, (event, name) => {
        if (name === null) return;
        const child = join(path, name.toString());
        if (skipped(child, name.toString())) return;
        if (SOURCE.test(child)) return changed(child);
        if (event === "change" && watchers.has(child)) return; // a watched folder's own metadata
        // A folder came, went or was replaced: watch what is there now, and count what it holds.
        if (watchers.has(child)) {
          forget(child);
          changed(child); // its sources may be gone: rebuild
        }
        if (isDirectory(child)) {
          add(child);
          for (const file of sourcesUnder(child)) changed(file);
        }
      });
    } catch {
      return; // gone already, or unreadable
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(path);
    });
    watchers.set(path, watcher);
    let entries: string[];
    try {
      entries = readdirSync(path, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const name of entries) {
      const child = join(path, name);
      if (!skipped(child, name)) add(child);
    }
  };

  /** Stops watching `path` and everything below it. */
  const forget = (path: string): void => {
    for (const [watched, watcher] of watchers) {
      if (watched === path || watched.startsWith(`${path}${sep}`)) {
        watcher.close();
        watchers.delete(watched);
      }
    }
  };

  const sourcesUnder = (path: string): string[] => {
    const found: string[] = [];
    try {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const child = join(path, entry.name);
        if (skipped(child, entry.name)) continue;
        if (entry.isDirectory()) found.push(...sourcesUnder(child));
        else if (SOURCE.test(entry.name)) found.push(child);
      }
    } catch {
      // gone meanwhile
    }
    return found;
  };

  add(dir);
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
