// The validator stage: compiles every input schema with ajv at build time into standalone
// CommonJS (ajv's ESM output still calls require), so the server never compiles a schema.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { MAX_LISTED_PROBLEMS } from "../runtime/results.js";
import { Code, type Diagnostic, type StageResult } from "./diagnostics.js";
import type { EntryModel } from "./model.js";
import { canonicalNames } from "./validator-names.js";

const require = createRequire(import.meta.url);

export interface CompiledValidators {
  /** CommonJS source exporting v0, v1, … in entry order (prompts and tools only). */
  readonly code: string;
  /** Export name per entry index; entries without arguments to check have none. */
  readonly names: ReadonlyMap<number, string>;
}

/**
 * Compiles validators, keeping the code of each schema (by a hash of its JSON) for its whole life:
 * a schema seen before is not compiled again, which is what makes a rebuild in `fastmcp dev`
 * cheap. Each schema's standalone code is generated on its own with canonical names, so the output
 * depends only on the entries, not on what was compiled before.
 */
export class ValidatorCompiler {
  private ajv: import("ajv").default | undefined;
  /** Standalone CommonJS per schema id (it sets `exports.v`). */
  private readonly modules = new Map<string, string>();
  /** How many schemas it has compiled so far (a rebuild compiles only new ones). */
  compilations = 0;
  private compilationsByAjv = 0;

  compile(entries: readonly EntryModel[]): StageResult<CompiledValidators> {
    const diagnostics: Diagnostic[] = [];
    const names = new Map<number, string>();
    const ids = new Map<number, string>();
    entries.forEach((entry, index) => {
      if (entry.kind === "resource") return;
      const id = `input_${createHash("sha256").update(JSON.stringify(entry.inputSchema)).digest("hex").slice(0, 16)}`;
      if (!this.modules.has(id)) {
        const failure = this.compileOne(id, entry.inputSchema as object);
        if (failure !== undefined) {
          diagnostics.push({
            code: Code.ValidatorFailed,
            severity: "error",
            message: `the input schema of ${entry.kind} ${JSON.stringify(entry.name)} does not compile: ${failure}`,
            ...entry.location,
          });
          return;
        }
      }
      names.set(index, `v${index}`);
      ids.set(index, id);
    });
    if (diagnostics.length > 0) return { value: { code: "", names }, diagnostics };
    // Code no entry uses any more is dropped, so a long dev session does not accumulate it.
    const used = new Set(ids.values());
    for (const id of this.modules.keys()) if (!used.has(id)) this.modules.delete(id);
    const parts = ['"use strict";'];
    for (const id of used) {
      parts.push(
        `const ${id} = (() => {\nconst exports = {};\n${this.modules.get(id)}\nreturn exports.v;\n})();`,
      );
    }
    for (const [index, id] of ids) parts.push(`exports.v${index} = ${id};`);
    return { value: { code: `${parts.join("\n")}\n`, names }, diagnostics };
  }

  /** Compiles one schema into `this.modules`; returns why it failed, if it did. */
  private compileOne(id: string, schema: object): string | undefined {
    // ajv keeps a little of every schema it compiled: start afresh now and then.
    if (this.ajv === undefined || this.compilationsByAjv >= 500) {
      this.ajv = createAjv();
      this.compilationsByAjv = 0;
    }
    const ajv = this.ajv;
    try {
      ajv.addSchema(schema, id);
      ajv.getSchema(id);
      // The file as a whole is strict; inside the wrapper the directive would be a stray string.
      const code = standalone()(ajv, { v: id }).replace(/^"use strict";/, "");
      this.modules.set(id, capErrors(canonicalNames(code)));
      this.compilations++;
      this.compilationsByAjv++;
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      ajv.removeSchema(id);
    }
  }
}

/** One compilation with a fresh compiler (what a single build does). */
export function compileValidators(entries: readonly EntryModel[]): StageResult<CompiledValidators> {
  return new ValidatorCompiler().compile(entries);
}

/**
 * Makes an allErrors validator keep at most MAX_LISTED_PROBLEMS problems. ajv has no such option,
 * and an invalid input lists one problem per array item or extra key: a few MB of `[{},{},…]`
 * made hundreds of MB of error objects, 64 MB would exhaust the heap. The count (`errors`) stays
 * exact, so anyOf/oneOf/not, which compare it, decide as before; only the stored list is cut:
 * - a problem is pushed only while the list is short;
 * - problems of a referenced validator are added by their number, and the list is cut;
 * - resetting to an earlier count cuts the list at most to its length (it may hold fewer).
 * Code with any other way of touching the list (ajv's custom keywords) is left as it is.
 */
export function capErrors(code: string): string {
  const max = MAX_LISTED_PROBLEMS;
  let pushes = 0;
  let concats = 0;
  let resets = 0;
  const capped = code
    .replace(/if\(vErrors === null\)\{vErrors = \[(err\d+)\];\}else \{vErrors\.push\(\1\);\}/g, (_, err) => {
      pushes++;
      return `if(vErrors === null){vErrors = [${err}];}else if(vErrors.length < ${max}){vErrors.push(${err});}`;
    })
    .replace(
      /vErrors = vErrors === null \? ([\w.]+) : vErrors\.concat\(\1\);errors = vErrors\.length;/g,
      (_, source) => {
        concats++;
        return `errors += ${source}.length;vErrors = vErrors === null ? ${source} : vErrors.concat(${source}).slice(0, ${max});`;
      },
    )
    .replace(/vErrors\.length = (_errs\d+);/g, (_, count) => {
      resets++;
      return `vErrors.length = Math.min(${count}, vErrors.length);`;
    });
  const count = (pattern: RegExp) => code.match(pattern)?.length ?? 0;
  const complete =
    count(/vErrors\.push\(/g) === pushes &&
    count(/vErrors\.concat\(/g) === concats &&
    count(/vErrors\.length =/g) === resets &&
    !code.includes("vErrors[");
  return complete ? capped : code;
}

// ajv is loaded on first use, not at module load: `fastmcp --help` should not pay for it.
export function createAjv(): import("ajv").default {
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
