// The validator stage: compiles every input schema with ajv at build time into standalone
// CommonJS (ajv's ESM output still calls require), so the server never compiles a schema.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import type { EntryModel } from "./model.js";

const require = createRequire(import.meta.url);

export interface CompiledValidators {
  /** CommonJS source exporting v0, v1, … in entry order (prompts and tools only). */
  readonly code: string;
  /** Export name per entry index; entries without arguments to check have none. */
  readonly names: ReadonlyMap<number, string>;
}

/**
 * Compiles validators with one ajv instance for its whole life: a schema seen before (same JSON)
 * is not compiled again, which is what makes a rebuild in `fastmcp dev` cheap. Schemas are
 * identified by a hash of their JSON, so the output does not depend on what was compiled before.
 */
export class ValidatorCompiler {
  private ajv: import("ajv").default | undefined;
  private readonly compiled = new Set<string>();

  compile(entries: readonly EntryModel[]): StageResult<CompiledValidators> {
    if (this.ajv === undefined) this.ajv = createAjv();
    const ajv = this.ajv;
    const diagnostics: Diagnostic[] = [];
    const names = new Map<number, string>();
    const refs: Record<string, string> = {};
    entries.forEach((entry, index) => {
      if (entry.kind === "resource") return;
      const id = `input_${createHash("sha256").update(JSON.stringify(entry.inputSchema)).digest("hex").slice(0, 16)}`;
      if (!this.compiled.has(id)) {
        try {
          ajv.addSchema(entry.inputSchema as object, id);
          ajv.getSchema(id);
          this.compiled.add(id);
        } catch (error) {
          diagnostics.push({
            code: Code.ValidatorFailed,
            severity: "error",
            message: `the input schema of ${entry.kind} ${JSON.stringify(entry.name)} does not compile: ${error instanceof Error ? error.message : String(error)}`,
            ...entry.location,
          });
          ajv.removeSchema(id);
          return;
        }
      }
      names.set(index, `v${index}`);
      refs[`v${index}`] = id;
    });
    if (diagnostics.length > 0) return { value: { code: "", names }, diagnostics };
    const code = Object.keys(refs).length === 0 ? '"use strict";\n' : standalone()(ajv, refs);
    return { value: { code, names }, diagnostics };
  }
}

/** One compilation with a fresh compiler (what a single build does). */
export function compileValidators(entries: readonly EntryModel[]): StageResult<CompiledValidators> {
  return new ValidatorCompiler().compile(entries);
}

// ajv is loaded on first use, not at module load: `fastmcp --help` should not pay for it.
function createAjv(): import("ajv").default {
  const Ajv2020 = require("ajv/dist/2020.js").default as typeof import("ajv/dist/2020.js").default;
  const addFormats = require("ajv-formats").default as typeof import("ajv-formats").default;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    // Arguments come from JSON.parse: a property named like Object.prototype's is present only if sent.
    ownProperties: true,
    // Shared definitions stay functions of their own instead of being copied into every user.
    inlineRefs: false,
    code: { source: true, optimize: true },
  });
  addFormats(ajv);
  return ajv;
}

function standalone(): typeof import("ajv/dist/standalone/index.js").default {
  return require("ajv/dist/standalone/index.js").default;
}
