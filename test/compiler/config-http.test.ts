// The `http` key of the project configuration: checked at build time with the checks the server
// applies to its flags, and baked into the entry so that `--http` alone uses it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Builder } from "../../src/compiler/build.js";
import { readConfig } from "../../src/compiler/config.js";

const scratch = mkdtempSync(join(tmpdir(), "fastmcp-config-http-"));
let counter = 0;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(config: unknown, extra: Record<string, string> = {}): string {
  const dir = join(scratch, `p${++counter}`);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "web", "type": "module" }');
  writeFileSync(join(dir, "fastmcp.config.json"), JSON.stringify(config));
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  return dir;
}

describe("the http configuration key", () => {
  it("reads port, host, path, allowed origins and workers", () => {
    const http = {
      port: 8080,
      host: "0.0.0.0",
      path: "/api/mcp",
      allowedOrigins: ["https://app.example.com"],
      workers: "auto",
    };
    expect(readConfig(project({ http }))).toMatchObject({ value: { http }, diagnostics: [] });
    expect(readConfig(project({ http: { port: "9000", workers: 4 } })).value.http).toEqual({
      port: 9000,
      workers: 4,
    });
  });

  it.each<[unknown, string, string | undefined]>([
    [8080, "http must be an object, got 8080", 'e.g. "http": { "port": 8080 }'],
    [{ prot: 1 }, 'unknown key "http.prot"', "known keys: port, host, path, allowedOrigins, workers"],
    [{ port: 70000 }, "http.port must be a port number from 0 to 65535, got 70000", undefined],
    [{ port: 80.5 }, "http.port must be a port number from 0 to 65535, got 80.5", undefined],
    [{ host: "" }, 'http.host must be a host name or address, got ""', undefined],
    [{ path: "mcp" }, 'http.path must be a path starting with /, got "mcp"', undefined],
    [{ workers: 0 }, 'http.workers must be a whole number from 1 to 1024 or "auto", got 0', undefined],
    [{ allowedOrigins: "https://a.example" }, undefined as never, undefined],
    [
      { allowedOrigins: ["example.com"] },
      'http.allowedOrigins: "example.com" is not an origin such as https://app.example.com',
      undefined,
    ],
    [{ allowedOrigins: [] }, "http.allowedOrigins must list at least one origin", undefined],
  ])("reports %j", (http, message, hint) => {
    const { diagnostics } = readConfig(project({ http }));
    if (message === undefined) {
      expect(diagnostics).toEqual([]); // a comma-separated string is fine too
      return;
    }
    expect(diagnostics).toEqual([
      {
        code: "FMCP5001",
        severity: "error",
        file: "fastmcp.config.json",
        message,
        ...(hint === undefined ? {} : { hint }),
      },
    ]);
  });

  it("is passed to the entry of the built server", async () => {
    const dir = project(
      { http: { port: 8123, path: "/x" } },
      {
        "tsconfig.json": JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
          },
          include: ["src"],
        }),
        "src/tools.ts":
          "/** Echoes. @tool */\nexport async function echo(text: string): Promise<string> {\n  return text;\n}\n",
      },
    );
    const result = await new Builder(dir).build();
    expect(result.diagnostics).toEqual([]);
    const server = readFileSync(join(dir, ".fastmcp", "server.ts"), "utf8");
    expect(server).toContain('import { runServer } from "fastmcp-ts/main";');
    expect(server).toContain(
      'runServer(table, {\n  "http": {\n    "port": 8123,\n    "path": "/x"\n  }\n});',
    );
  });
});
