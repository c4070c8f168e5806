// What the server offers, indexed once at start: lookups by name and URI (Maps, so no
// lookup can reach an inherited property), resource-template matchers, capabilities, and
// list pages serialised on first use so that a list call costs a string concatenation.
import { brief } from "./protocol.js";
import type { DispatchTable, PromptEntry, ResourceEntry, ResourceTemplateEntry, ToolEntry } from "./table.js";

export interface TemplateMatch {
  readonly entry: ResourceTemplateEntry;
  readonly variables: Record<string, string>;
}

interface CompiledTemplate {
  readonly entry: ResourceTemplateEntry;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

/** Thrown for an unusable cursor or a URI with broken percent-encoding (answered with -32602). */
export class InvalidParams extends Error {}

export class Catalog {
  readonly tools = new Map<string, ToolEntry>();
  readonly resources = new Map<string, ResourceEntry>();
  readonly prompts = new Map<string, PromptEntry>();
  readonly templates: readonly CompiledTemplate[];
  readonly capabilities: Record<string, object>;
  private readonly pages = new Map<string, readonly string[]>();

  constructor(
    private readonly table: DispatchTable,
    private readonly pageSize: number,
  ) {
    for (const tool of table.tools ?? []) this.tools.set(tool.name, tool);
    for (const resource of table.resources ?? []) this.resources.set(resource.uri, resource);
    for (const prompt of table.prompts ?? []) this.prompts.set(prompt.name, prompt);
    this.templates = (table.resourceTemplates ?? []).map(compileTemplate);
    const capabilities: Record<string, object> = {};
    if (this.tools.size > 0) capabilities.tools = {};
    if (this.resources.size > 0 || this.templates.length > 0) capabilities.resources = {};
    if (this.prompts.size > 0) capabilities.prompts = {};
    capabilities.logging = {};
    const offersCompletions = [...(table.prompts ?? []), ...(table.resourceTemplates ?? [])].some(
      (entry) => entry.completions !== undefined && Object.keys(entry.completions).length > 0,
    );
    if (offersCompletions) capabilities.completions = {};
    this.capabilities = capabilities;
  }

  matchTemplate(uri: string): TemplateMatch | undefined {
    for (const template of this.templates) {
      const match = template.pattern.exec(uri);
      if (match === null) continue;
      const variables: Record<string, string> = Object.create(null);
      template.names.forEach((name, i) => {
        try {
          variables[name] = decodeURIComponent(match[i + 1] as string);
        } catch {
          throw new InvalidParams(`malformed percent-encoding in ${brief(uri)}`);
        }
      });
      return { entry: template.entry, variables };
    }
    return undefined;
  }

  /** The serialised result of a list call for `cursor`; structured lists include titles and output schemas. */
  listPage(kind: ListKind, cursor: unknown, structured: boolean): string {
    const key = structured ? kind : `${kind}:legacy`;
    let pages = this.pages.get(key);
    if (pages === undefined) {
      pages = this.buildPages(kind, structured);
      this.pages.set(key, pages);
    }
    if (cursor === undefined) return pages[0] as string;
    const page = typeof cursor === "string" ? decodeCursor(cursor) : -1;
    if (page < 1 || page >= pages.length) throw new InvalidParams(`invalid cursor ${brief(cursor)}`);
    return pages[page] as string;
  }

  /** completion/complete: the values of a literal-union parameter that start with `prefix`. */
  complete(ref: unknown, argument: string, prefix: string): string {
    const source = this.completionSource(ref);
    if (source === undefined) throw new InvalidParams(`unknown completion reference ${brief(ref)}`);
    const offered = source.completions;
    const candidates =
      offered !== undefined && Object.hasOwn(offered, argument) ? offered[argument] : undefined;
    const lower = prefix.toLowerCase();
    const all = (candidates ?? []).filter((value) => value.toLowerCase().startsWith(lower));
    const values = all.slice(0, 100);
    return JSON.stringify({ completion: { values, total: all.length, hasMore: all.length > values.length } });
  }

  private completionSource(ref: unknown): PromptEntry | ResourceTemplateEntry | undefined {
    if (typeof ref !== "object" || ref === null) return undefined;
    const { type, name, uri } = ref as { type?: unknown; name?: unknown; uri?: unknown };
    if (type === "ref/prompt" && typeof name === "string") return this.prompts.get(name);
    if (type === "ref/resource" && typeof uri === "string") {
      return this.templates.find((t) => t.entry.uriTemplate === uri)?.entry;
    }
    return undefined;
  }

  private buildPages(kind: ListKind, structured: boolean): string[] {
    const items = this.listItems(kind, structured);
    const pages: string[] = [];
    const count = Math.max(1, Math.ceil(items.length / this.pageSize));
    for (let page = 0; page < count; page++) {
      const result: Record<string, unknown> = {
        [kind]: items.slice(page * this.pageSize, (page + 1) * this.pageSize),
      };
      if (page + 1 < count) result.nextCursor = encodeCursor(page + 1);
      pages.push(JSON.stringify(result));
    }
    return pages;
  }

  private listItems(kind: ListKind, structured: boolean): object[] {
    const fields = LIST_FIELDS[kind].filter((field) => structured || !STRUCTURED_ONLY.has(field));
    const entries: readonly object[] = this.table[kind] ?? [];
    return entries.map((entry) => {
      const item: Record<string, unknown> = {};
      for (const field of fields) item[field] = (entry as Record<string, unknown>)[field];
      return item;
    });
  }
}

/** What each list item carries on the wire: an allow-list, so runtime-only fields never leak. */
const LIST_FIELDS: Record<ListKind, readonly string[]> = {
  tools: ["name", "title", "description", "inputSchema", "outputSchema", "annotations"],
  resources: ["uri", "name", "title", "description", "mimeType", "size"],
  resourceTemplates: ["uriTemplate", "name", "title", "description", "mimeType"],
  prompts: ["name", "title", "description", "arguments"],
};

/** Fields that clients before 2025-06-18 do not know. */
const STRUCTURED_ONLY = new Set(["title", "outputSchema"]);

function encodeCursor(page: number): string {
  return Buffer.from(`page:${page}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^page:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match === null ? -1 : Number(match[1]);
}

/** `users://{id}/profile` → /^users:\/\/([^/?#]+)\/profile$/ with names ["id"]. */
function compileTemplate(entry: ResourceTemplateEntry): CompiledTemplate {
  const names: string[] = [];
  let source = "^";
  let last = 0;
  for (const match of entry.uriTemplate.matchAll(/\{([^{}]+)\}/g)) {
    source += escapeRegExp(entry.uriTemplate.slice(last, match.index));
    source += "([^/?#]+)";
    names.push(match[1] as string);
    last = match.index + match[0].length;
  }
  source += `${escapeRegExp(entry.uriTemplate.slice(last))}$`;
  return { entry, pattern: new RegExp(source, "u"), names };
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}
