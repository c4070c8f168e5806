// The benchmark project generator shared by bench/build.mjs and bench/dev.mjs: source files of
// ~10 tools each, a shared src/types.ts (interfaces, a string enum, a literal union) imported with
// `.js` specifiers, tools with 2–4 parameters (primitives, optional and default parameters,
// constraint tags, nested imported types, object return types, a Context parameter in some).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const TOOLS_PER_FILE = 10;
const DOMAINS = [
  "orders",
  "products",
  "customers",
  "invoices",
  "shipments",
  "tickets",
  "payments",
  "reviews",
];

const PACKAGE_JSON = (size) =>
  `${JSON.stringify({ name: `bench-${size}-tools`, version: "1.0.0", private: true, type: "module" }, null, 2)}\n`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      // What a server project wants: no DOM library to parse.
      lib: ["ES2022"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ["src"],
  },
  null,
  2,
)}\n`;

const TYPES_TS = `// Shared domain types: they become parts of the tools' JSON Schemas.

export enum Status {
  Draft = "draft",
  Active = "active",
  Archived = "archived",
}

export type Currency = "EUR" | "USD" | "GBP";

export type SortOrder = "asc" | "desc";

export interface Money {
  /**
   * The amount, in the currency's main unit.
   * @minimum 0
   */
  amount: number;
  currency: Currency;
}

export interface PriceRange {
  /** @minimum 0 */
  min?: number;
  /** @minimum 0 */
  max?: number;
}

export interface Filters {
  /** Only records in these states. */
  status?: Status[];
  price?: PriceRange;
  /**
   * Free-form labels, all of which must match.
   * @maxItems 10
   */
  tags?: string[];
  /**
   * Created on or after this instant.
   * @format date-time
   */
  createdAfter?: string;
}

export interface Address {
  name: string;
  street: string;
  city: string;
  /** @pattern ^[0-9A-Z -]{3,10}$ */
  postcode: string;
  /**
   * ISO 3166-1 alpha-2 country code.
   * @pattern ^[A-Z]{2}$
   */
  country: string;
}

export interface Summary {
  id: string;
  title: string;
  status: Status;
  price: Money;
}

export interface Item {
  id: string;
  title: string;
  description?: string;
  status: Status;
  price: Money;
  tags: string[];
  /** @format date-time */
  createdAt: string;
}

export interface Shipment {
  trackingId: string;
  to: Address;
  express: boolean;
  /** @integer */
  etaDays: number;
}

export interface Stats {
  /** @integer */
  count: number;
  total: Money;
  byStatus: { [status: string]: number };
}
`;

const STORE_TS = `// An in-memory stand-in for a database, shared by every tool file.
import { type Money, type Item, Status } from "./types.js";

export const records: Item[] = [];

export function find(id: string): Item | undefined {
  return records.find((r) => r.id === id);
}

export function money(amount: number, currency: Money["currency"] = "EUR"): Money {
  return { amount: Math.round(amount * 100) / 100, currency };
}

export function nextId(prefix: string): string {
  return \`\${prefix}-\${records.length + 1}\`;
}

export const DEFAULT_STATUS = Status.Active;
`;

// Ten tool shapes, cycled through. Each returns the source of one exported function; `d` is the
// domain (e.g. "orders"), `n` a number unique in the project, `N` the same for function names.
const SHAPES = [
  // Context + string + default + optional nested type; object return type.
  (d, n) => `/**
 * Search ${d} by title.
 * @tool ${d}_search_${n}
 * @readOnly
 * @param query Words to look for in titles
 * @minLength 2
 * @param limit How many results at most
 * @integer
 * @minimum 1
 * @maximum 100
 * @param filters Narrow the search down
 */
export async function ${d}Search${n}(
  ctx: Context,
  query: string,
  limit = 10,
  filters?: Filters,
): Promise<{ hits: Summary[]; total: number }> {
  const words = query.toLowerCase().split(/\\s+/);
  const hits: Summary[] = [];
  for (const r of records) {
    ctx.checkpoint();
    if (!words.every((w) => r.title.toLowerCase().includes(w))) continue;
    if (filters?.status !== undefined && !filters.status.includes(r.status)) continue;
    hits.push({ id: r.id, title: r.title, status: r.status, price: r.price });
  }
  ctx.progress(hits.length, limit);
  return { hits: hits.slice(0, limit), total: hits.length };
}
`,
  // One constrained string; a nested imported return type; ToolError.
  (d, n) => `/**
 * Fetch one of the ${d} by id.
 * @tool ${d}_get_${n}
 * @readOnly
 * @idempotent
 * @param id The record's id
 * @pattern ^[a-z]+-[0-9]+$
 * @param includeArchived Also look at archived records
 */
export async function ${d}Get${n}(id: string, includeArchived?: boolean): Promise<Item> {
  const found = find(id);
  if (found === undefined || (found.status === Status.Archived && includeArchived !== true)) {
    throw new ToolError(\`No ${d} record \${id}\`);
  }
  return found;
}
`,
  // Context + required nested type + literal-union default + optional array.
  (d, n) => `/**
 * Create a record in ${d}.
 * @tool ${d}_create_${n}
 * @param title A short title
 * @minLength 1
 * @maxLength 120
 * @param price The price
 * @param currency The price's currency
 * @param tags Labels to attach
 * @maxItems 20
 * @uniqueItems
 */
export async function ${d}Create${n}(
  ctx: Context,
  title: string,
  price: number,
  currency: Currency = "EUR",
  tags?: string[],
): Promise<{ id: string; status: Status }> {
  const record: Item = {
    id: nextId("${d}"),
    title,
    status: DEFAULT_STATUS,
    price: money(price, currency),
    tags: tags ?? [],
    createdAt: new Date().toISOString(),
  };
  records.push(record);
  ctx.log.info("created", { id: record.id });
  return { id: record.id, status: record.status };
}
`,
  // Destructive, void return, optional boolean.
  (d, n) => `/**
 * Delete one of the ${d}.
 * @tool ${d}_delete_${n}
 * @destructive
 * @idempotent
 * @param id The record's id
 * @param force Delete even if it is active
 */
export async function ${d}Delete${n}(id: string, force?: boolean): Promise<void> {
  const index = records.findIndex((r) => r.id === id);
  if (index < 0) return;
  if (records[index]?.status === Status.Active && force !== true) {
    throw new ToolError("The record is active: pass force to delete it.");
  }
  records.splice(index, 1);
}
`,
  // Numbers with exclusive bounds, two literal-union params, a number return.
  (d, n) => `/**
 * Convert an amount between currencies (${d}).
 * @tool ${d}_convert_${n}
 * @readOnly
 * @idempotent
 * @param amount The amount to convert
 * @exclusiveMinimum 0
 * @param from Currency of the amount
 * @param to Currency wanted
 */
export function ${d}Convert${n}(amount: number, from: Currency, to: Currency): number {
  const rates: { [c in Currency]: number } = { EUR: 1, USD: 1.08, GBP: 0.86 };
  return Math.round((amount / rates[from]) * rates[to] * 100) / 100;
}
`,
  // Two defaults with integer bounds, an optional literal union, an object return.
  (d, n) => `/**
 * List ${d}, a page at a time.
 * @tool ${d}_list_${n}
 * @readOnly
 * @param page Page number, from 1
 * @integer
 * @minimum 1
 * @param pageSize Records per page
 * @integer
 * @minimum 1
 * @maximum 200
 * @param sort Order by title
 */
export async function ${d}List${n}(
  page = 1,
  pageSize = 20,
  sort?: SortOrder,
): Promise<{ items: Summary[]; page: number; hasMore: boolean }> {
  const sorted = [...records].sort((a, b) => (sort === "desc" ? -1 : 1) * a.title.localeCompare(b.title));
  const items = sorted
    .slice((page - 1) * pageSize, page * pageSize)
    .map((r) => ({ id: r.id, title: r.title, status: r.status, price: r.price }));
  return { items, page, hasMore: page * pageSize < sorted.length };
}
`,
  // Context + nested Address + optional boolean; nested return type.
  (d, n) => `/**
 * Ship one of the ${d} to an address.
 * @tool ${d}_ship_${n}
 * @timeout 10s
 * @param id The record's id
 * @param address Where it goes
 * @param express Next-day delivery
 */
export async function ${d}Ship${n}(
  ctx: Context,
  id: string,
  address: Address,
  express?: boolean,
): Promise<Shipment> {
  ctx.checkpoint();
  if (find(id) === undefined) throw new ToolError(\`No ${d} record \${id}\`);
  return { trackingId: \`\${id}-\${address.postcode}\`, to: address, express: express ?? false, etaDays: express ? 1 : 3 };
}
`,
  // Arrays with item-count constraints, an enum parameter.
  (d, n) => `/**
 * Set the status of several ${d} at once.
 * @tool ${d}_set_status_${n}
 * @idempotent
 * @param ids The records' ids
 * @minItems 1
 * @maxItems 50
 * @uniqueItems
 * @param status The new status
 */
export async function ${d}SetStatus${n}(ids: string[], status: Status): Promise<{ updated: number }> {
  let updated = 0;
  for (const r of records) {
    if (ids.includes(r.id)) {
      r.status = status;
      updated++;
    }
  }
  return { updated };
}
`,
  // Date-time strings, an optional end; a nested return with an index signature.
  (d, n) => `/**
 * Totals for ${d} created in a period.
 * @tool ${d}_stats_${n}
 * @readOnly
 * @param from Start of the period
 * @format date-time
 * @param to End of the period (default: now)
 * @format date-time
 * @param currency Currency of the total
 */
export async function ${d}Stats${n}(from: string, to?: string, currency: Currency = "EUR"): Promise<Stats> {
  const end = to ?? new Date().toISOString();
  const inPeriod = records.filter((r) => r.createdAt >= from && r.createdAt <= end);
  const byStatus: { [status: string]: number } = {};
  for (const r of inPeriod) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const total = inPeriod.reduce((sum, r) => sum + r.price.amount, 0);
  return { count: inPeriod.length, total: money(total, currency), byStatus };
}
`,
  // Context at the end, a nested Money parameter, a string return.
  (d, n) => `/**
 * Change the price of one of the ${d}.
 * @tool ${d}_reprice_${n}
 * @param id The record's id
 * @param price The new price
 * @param reason Why, for the audit log
 * @maxLength 200
 */
export async function ${d}Reprice${n}(id: string, price: Money, reason: string, ctx: Context): Promise<string> {
  const record = find(id);
  if (record === undefined) throw new ToolError(\`No ${d} record \${id}\`);
  record.price = price;
  ctx.log.info("repriced", { id, reason });
  return \`\${id} now costs \${price.amount} \${price.currency}\`;
}
`,
];

const TOOL_FILE_HEADER = `import { type Context, ToolError } from "fastmcp-ts";
import { DEFAULT_STATUS, find, money, nextId, records } from "../store.js";
import {
  type Address,
  type Currency,
  type Filters,
  type Money,
  type Item,
  type Shipment,
  type SortOrder,
  type Stats,
  Status,
  type Summary,
} from "../types.js";
`;

/** Writes a project with `size` tools into `dir`; returns the expected tool names. */
export function generateProject(dir, size) {
  mkdirSync(join(dir, "src", "tools"), { recursive: true });
  writeFileSync(join(dir, "package.json"), PACKAGE_JSON(size));
  writeFileSync(join(dir, "tsconfig.json"), TSCONFIG);
  writeFileSync(join(dir, "src", "types.ts"), TYPES_TS);
  writeFileSync(join(dir, "src", "store.ts"), STORE_TS);
  const names = [];
  for (let file = 0; file * TOOLS_PER_FILE < size; file++) {
    const domain = DOMAINS[file % DOMAINS.length];
    const parts = [
      `// Tools for ${domain} (file ${file + 1}), generated by bench/project.mjs.\n${TOOL_FILE_HEADER}`,
    ];
    for (let k = 0; k < TOOLS_PER_FILE && file * TOOLS_PER_FILE + k < size; k++) {
      const n = file * TOOLS_PER_FILE + k + 1;
      const source = SHAPES[k % SHAPES.length](domain, n);
      names.push(/@tool (\S+)/.exec(source)[1]);
      parts.push(source);
    }
    writeFileSync(join(dir, "src", "tools", `${domain}-${file + 1}.ts`), parts.join("\n"));
  }
  return names;
}
