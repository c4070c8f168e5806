// Who may call the HTTP endpoint: the Origin allow-list that stops DNS-rebinding attacks from
// browsers (MCP 2025-11-25 basic/transports "Security Warning"), CORS for the origins allowed,
// and an optional bearer token compared in constant time.
import type { OutgoingHttpHeaders } from "node:http";

export interface GuardOptions {
  /** Exact origins (`https://app.example.com`), or `*` for any; default: loopback origins only. */
  allowedOrigins?: readonly string[];
  /** Requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export interface Denial {
  readonly message: string;
  readonly headers: OutgoingHttpHeaders;
}

export interface Guard {
  /** Allowed origins, lower case; undefined: loopback origins only. */
  readonly origins: ReadonlySet<string> | undefined;
  /** Undefined when the Authorization header is acceptable. */
  authorize(header: string | undefined): Denial | undefined;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function makeGuard(options: GuardOptions): Promise<Guard> {
  const origins =
    options.allowedOrigins === undefined
      ? undefined
      : new Set(options.allowedOrigins.map((origin) => origin.toLowerCase().replace(/\/+$/, "")));
  const token = options.token;
  if (token === undefined || token === "") return { origins, authorize: () => undefined };
  // node:crypto only when a token is configured: it is not free to load.
  const { createHash, timingSafeEqual } = await import("node:crypto");
  const digest = (text: string): Buffer => createHash("sha256").update(text).digest();
  const expected = digest(token);
  const missing: Denial = {
    message: "Unauthorized: this endpoint needs an Authorization: Bearer token",
    headers: { "www-authenticate": 'Bearer realm="mcp"' },
  };
  const invalid: Denial = {
    message: "Unauthorized: the bearer token is not valid",
    headers: { "www-authenticate": 'Bearer realm="mcp", error="invalid_token"' },
  };
  return {
    origins,
    authorize(header) {
      if (header === undefined) return missing;
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      if (match === null) return missing;
      // Equal-length digests, so the comparison takes the same time whatever the token.
      return timingSafeEqual(digest(match[1] as string), expected) ? undefined : invalid;
    },
  };
}

/** Whether a browser page from `origin` may call the endpoint. */
export function checkOrigin(guard: Guard, origin: string): boolean {
  const origins = guard.origins;
  if (origins !== undefined) return origins.has("*") || origins.has(origin.toLowerCase());
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and anything else that is not a URL
  }
}

/** Lets a browser page of an allowed origin read the response and its session id. */
export function corsHeaders(origin: string): OutgoingHttpHeaders {
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "Mcp-Session-Id, WWW-Authenticate",
    vary: "Origin",
  };
}

export const PREFLIGHT_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers":
    "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID",
  "access-control-max-age": "600",
});
