// The first moments of a `fastmcp dev` server process. Node starts ahead of time and waits here;
// when a build is ready the parent sends the bundle's path over IPC, the channel closes (the
// server's own I/O is stdin/stdout) and the bundle loads. A swap then costs the bundle's load,
// not Node's start-up.
import { pathToFileURL } from "node:url";

process.once("message", (message: unknown) => {
  const bundle = (message as { bundle?: unknown } | null)?.bundle;
  // Not from inside the handler: Node still reads the channel after it returns.
  setImmediate(() => {
    process.disconnect?.();
    if (typeof bundle === "string") void import(pathToFileURL(bundle).href);
  });
});
