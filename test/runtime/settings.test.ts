// How a generated server reads its transport settings: flags over FASTMCP_* variables over the
// project's configuration, and a usage error naming the flag or variable for every bad value.
import { describe, expect, it } from "vitest";
import { readSettings, UsageError } from "../../src/runtime/settings.js";

const DEFAULTS = {
  port: 3000,
  host: "127.0.0.1",
  path: "/mcp",
  allowedOrigins: undefined,
  workers: 1,
  token: undefined,
};

describe("readSettings", () => {
  it("serves stdio by default, whatever the configuration says about HTTP", () => {
    expect(readSettings([], {}, { port: 8080 })).toEqual({
      transport: "stdio",
      help: false,
      http: { ...DEFAULTS, port: 8080 },
    });
  });

  it("takes flags, in both spellings", () => {
    const args = ["--http", "--port", "0", "--host=0.0.0.0", "--path", "/api", "--workers", "auto"];
    args.push("--allowed-origins", "https://a.example, http://localhost:5173");
    expect(readSettings(args, {}).http).toEqual({
      ...DEFAULTS,
      port: 0,
      host: "0.0.0.0",
      path: "/api",
      workers: "auto",
      allowedOrigins: ["https://a.example", "http://localhost:5173"],
    });
  });

  it("puts flags over variables over configuration", () => {
    const env = {
      FASTMCP_TRANSPORT: "http",
      FASTMCP_PORT: "4000",
      FASTMCP_HOST: "::1",
      FASTMCP_HTTP_TOKEN: "t",
    };
    const settings = readSettings(["--port", "5000"], env, { port: 6000, host: "h", path: "/p" });
    expect(settings.transport).toBe("http");
    expect(settings.http).toEqual({ ...DEFAULTS, port: 5000, host: "::1", path: "/p", token: "t" });
    expect(readSettings(["--stdio"], env).transport).toBe("stdio");
    expect(readSettings([], { FASTMCP_TRANSPORT: "", FASTMCP_PORT: "" }).transport).toBe("stdio");
  });

  it("asks for help", () => {
    expect(readSettings(["-h"], {}).help).toBe(true);
    expect(readSettings(["--help"], {}).help).toBe(true);
  });

  it.each<[string[], Record<string, string>, string]>([
    [["--nope"], {}, 'unknown argument "--nope"'],
    [["serve"], {}, 'unknown argument "serve"'],
    [["--http", "--stdio"], {}, "--http and --stdio exclude each other"],
    [["--port", "1"], {}, "--port applies to the HTTP transport: add --http"],
    [["--http", "--port"], {}, "--port needs a value"],
    [["--http", "--port", "--host"], {}, "--port needs a value"],
    [["--http", "--port", "-1"], {}, '--port must be a port number from 0 to 65535, got "-1"'],
    [["--http"], { FASTMCP_PORT: "http" }, 'FASTMCP_PORT must be a port number from 0 to 65535, got "http"'],
    [["--http", "--workers", "0"], {}, '--workers must be a whole number from 1 to 1024 or "auto", got "0"'],
    [["--http", "--path", "/a b"], {}, '--path must be a path starting with /, got "/a b"'],
    [
      ["--http", "--allowed-origins", "localhost"],
      {},
      '--allowed-origins: "localhost" is not an origin such as https://app.example.com',
    ],
    [["--http", "--allowed-origins", " , "], {}, "--allowed-origins must list at least one origin"],
    [[], { FASTMCP_TRANSPORT: "sse" }, 'FASTMCP_TRANSPORT must be http or stdio, got "sse"'],
  ])("refuses %j %j", (argv, env, message) => {
    expect(() => readSettings(argv, env)).toThrow(new UsageError(message));
  });
});
