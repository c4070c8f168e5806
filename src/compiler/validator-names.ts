// ajv numbers the top-level names of compiled code (`schema19`, `validate52`, `func0`) from a
// counter of its instance, so a compiler that lives across builds (fastmcp dev) would write other
// numbers than a cold build. This renames every top-level name by order of first appearance, which
// depends only on the entries, making the standalone code the same however it was compiled.

/** Strings (skipped, as they are), identifiers and braces of ajv's generated JavaScript. */
const TOKENS = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|([A-Za-z_$][\w$]*)|([{}])/g;

export function canonicalNames(code: string): string {
  // Pass 1: the names declared at the top level (`const x =`, `function x(`).
  const topLevel = new Set<string>();
  let depth = 0;
  let declaring = false;
  for (const match of code.matchAll(TOKENS)) {
    const [, identifier, brace] = match;
    if (brace !== undefined) {
      depth += brace === "{" ? 1 : -1;
      declaring = false;
    } else if (identifier !== undefined && depth === 0) {
      if (declaring && !isPropertyName(code, match.index)) topLevel.add(identifier);
      declaring =
        identifier === "const" || identifier === "function" || identifier === "let" || identifier === "var";
    }
  }
  // Pass 2: each gets `<prefix>_<n>`, numbered per prefix as they first appear. The underscore
  // keeps the new names apart from ajv's (which end in digits right after the prefix).
  const renamed = new Map<string, string>();
  const counters = new Map<string, number>();
  return code.replace(TOKENS, (token: string, identifier: string | undefined, _brace, offset: number) => {
    if (identifier === undefined || !topLevel.has(identifier) || isPropertyName(code, offset)) return token;
    let name = renamed.get(identifier);
    if (name === undefined) {
      const prefix = identifier.replace(/\d+$/, "");
      const n = counters.get(prefix) ?? 0;
      counters.set(prefix, n + 1);
      name = `${prefix}_${n}`;
      renamed.set(identifier, name);
    }
    return name;
  });
}

/** `a.x` names a property, not the variable x (but `...x` spreads the variable). */
function isPropertyName(code: string, offset: number): boolean {
  return code[offset - 1] === "." && code[offset - 2] !== ".";
}
