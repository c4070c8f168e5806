// A client that closes its end of stdout: the server stops working for it and exits cleanly.
import { afterAll, expect, it } from "vitest";
import { killStrays, RawServer } from "./harness.js";

afterAll(() => {
  expect(killStrays()).toBe(0);
});

it("exits 0 once stdout is gone, reporting the output error", async () => {
  const server = new RawServer();
  await server.initialize();
  server.child.stdout.destroy();
  for (let i = 0; i < 50; i++) server.call("payload", { size: 100_000 }).catch(() => {});
  const exit = await server.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(server.stderr).toMatch(/output error: .*EPIPE/);
});
