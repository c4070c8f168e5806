// `fastmcp list [dir]`: what a built server offers — tools, resources, resource templates and
// prompts — as aligned text for people, or (--json) as the server returned the lists.
import { type InitializeResult, RpcError, type ServerClient } from "./client.js";
import type { Output } from "./output.js";
import { describeParameters, type JsonSchema } from "./schema-summary.js";
import { parseTimeout, withServer } from "./session.js";

export interface ListCommandOptions {
  readonly json?: boolean;
  readonly server?: string;
  readonly verbose?: boolean;
  /** Milliseconds, as typed on the command line. */
  readonly timeout?: string;
}

export interface Catalog {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}

interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: JsonSchema;
  annotations?: Record<string, unknown>;
}
interface Resource {
  uri: string;
  name?: string;
  description?: string;
  mimeType?: string;
}
interface ResourceTemplate {
  uriTemplate: string;
  name?: string;
  description?: string;
  mimeType?: string;
}
interface Prompt {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; required?: boolean }[];
}

const HINTS: readonly (readonly [string, string])[] = [
  ["readOnlyHint", "read-only"],
  ["destructiveHint", "destructive"],
  ["idempotentHint", "idempotent"],
  ["openWorldHint", "open-world"],
];

/** Returns the exit code: 0 listed, 1 the server is missing or failed. */
export async function listCommand(dir: string, options: ListCommandOptions, io: Output): Promise<number> {
  const timeoutMs = parseTimeout(options.timeout, 30_000);
  if (typeof timeoutMs === "string") {
    io.err(`${timeoutMs}\n`);
    return 2;
  }
  return withServer(dir, { ...options, timeoutMs }, io, async (client, server) => {
    const catalog = await fetchCatalog(client, server);
    if (options.json === true) {
      const { protocolVersion, serverInfo } = server;
      io.out(`${JSON.stringify({ serverInfo, protocolVersion, ...catalog }, null, 2)}\n`);
    } else io.out(formatCatalog(server, catalog));
    return 0;
  });
}

/** Every list the server advertises a capability for (server/tools, server/resources, server/prompts). */
export async function fetchCatalog(client: ServerClient, server: InitializeResult): Promise<Catalog> {
  const has = (capability: string) => server.capabilities?.[capability] !== undefined;
  return {
    tools: has("tools") ? ((await client.listAll("tools/list", "tools")) as Tool[]) : [],
    resources: has("resources") ? ((await client.listAll("resources/list", "resources")) as Resource[]) : [],
    resourceTemplates: has("resources") ? await listTemplates(client) : [],
    prompts: has("prompts") ? ((await client.listAll("prompts/list", "prompts")) as Prompt[]) : [],
  };
}

/** Servers with resources but no templates may not implement resources/templates/list at all. */
async function listTemplates(client: ServerClient): Promise<ResourceTemplate[]> {
  try {
    return (await client.listAll("resources/templates/list", "resourceTemplates")) as ResourceTemplate[];
  } catch (error) {
    if (error instanceof RpcError && error.code === -32601) return [];
    throw error;
  }
}

export function formatCatalog(server: InitializeResult, catalog: Catalog): string {
  const info = server.serverInfo;
  const name = [info?.name ?? "(unnamed server)", info?.version].filter(Boolean).join(" ");
  const resource = (address: string, r: Resource | ResourceTemplate): Row => ({
    cells: [address, r.mimeType ?? "", summary(undefined, r.description)],
  });
  return [
    `${name} (MCP ${server.protocolVersion})\n`,
    section(
      "Tools",
      catalog.tools.map((t) => ({
        cells: [t.name, withHints(summary(t.title, t.description), t.annotations)],
        detail: describeParameters(t.inputSchema),
      })),
    ),
    section(
      "Resources",
      catalog.resources.map((r) => resource(r.uri, r)),
    ),
    section(
      "Resource templates",
      catalog.resourceTemplates.map((r) => resource(r.uriTemplate, r)),
    ),
    section(
      "Prompts",
      catalog.prompts.map((p) => ({
        cells: [p.name, summary(p.title, p.description)],
        detail: (p.arguments ?? []).map((a) => (a.required === true ? a.name : `${a.name}?`)).join(", "),
      })),
    ),
  ].join("\n");
}

interface Row {
  cells: string[];
  /** A second line, under the second column. */
  detail?: string;
}

/** A heading and rows in aligned columns (empty columns take no room). */
function section(title: string, rows: readonly Row[]): string {
  if (rows.length === 0) return `${title}: none\n`;
  const count = Math.max(...rows.map((r) => r.cells.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(...rows.map((r) => r.cells[i]?.length ?? 0)),
  );
  const lines = [`${title} (${rows.length})`];
  for (const row of rows) {
    const cells = row.cells.map((cell, i) => {
      const width = widths[i] ?? 0;
      return i === row.cells.length - 1 ? cell : width === 0 ? "" : cell.padEnd(width + 2);
    });
    lines.push(`  ${cells.join("")}`.trimEnd());
    if (row.detail) lines.push(`  ${" ".repeat((widths[0] ?? 0) + 2)}${row.detail}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The title and the first line of the description. */
function summary(title: string | undefined, description: string | undefined): string {
  const first = description?.trim().split("\n")[0]?.trim() ?? "";
  if (title === undefined || title === "") return first;
  return first === "" ? title : `${title}: ${first}`;
}

function withHints(text: string, annotations: Record<string, unknown> | undefined): string {
  const hints = HINTS.filter(([key]) => annotations?.[key] === true).map(([, label]) => label);
  return hints.length === 0 ? text : `${text} [${hints.join(", ")}]`.trimStart();
}
