// Questions for the type checker: is this parameter the runtime's Context, can JSON carry this
// type, is it a string, and what does a handler return. Only the scanner calls these.
import { join } from "node:path";
import { PACKAGE_ROOT } from "./program.js";
import { ts } from "./ts.js";

const RUNTIME_TYPES = join(PACKAGE_ROOT, "dist", "runtime");

/** A declaration from this package's runtime types, e.g. Context from runtime/context.d.ts. */
function isRuntimeType(type: ts.Type, name: string, file: string): boolean {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (symbol?.getName() !== name) return false;
  return (symbol.getDeclarations() ?? []).some(
    (d) => d.getSourceFile().fileName === join(RUNTIME_TYPES, file),
  );
}

export function isContextType(type: ts.Type): boolean {
  return isRuntimeType(type, "Context", "context.d.ts");
}

export interface Unsupported {
  /** What was found, e.g. `Date` or `a function`. */
  readonly what: string;
  /** Where inside the parameter, e.g. `filters.since` (empty for the parameter itself). */
  readonly path: string;
  readonly hint: string;
}

const UNSUPPORTED_CLASSES: Record<string, string> = {
  Date: "use string with @format date-time (or @format date)",
  Map: "use Record<string, T>",
  WeakMap: "use Record<string, T>",
  Set: "use T[] with @uniqueItems",
  WeakSet: "use T[] with @uniqueItems",
  RegExp: "use string with @format regex",
  Promise: "take the resolved value as the parameter",
  Error: "use an object with a message property",
};

/** The first part of `type` that JSON cannot carry, if any. */
export function findUnsupported(
  checker: ts.TypeChecker,
  program: ts.Program,
  type: ts.Type,
): Unsupported | undefined {
  const seen = new Set<ts.Type>();
  const walk = (t: ts.Type, path: string, depth: number): Unsupported | undefined => {
    if (seen.has(t) || depth > 12) return undefined;
    seen.add(t);
    if (t.flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral)) {
      return { what: "bigint", path, hint: "use number (or string for values beyond 2^53)" };
    }
    if (t.flags & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) {
      return { what: "symbol", path, hint: "use a string" };
    }
    if (t.isUnionOrIntersection()) {
      for (const part of t.types) {
        const found = walk(part, path, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (!(t.flags & ts.TypeFlags.Object)) return undefined;
    const symbol = t.getSymbol();
    const name = symbol?.getName();
    const fromLib = (symbol?.getDeclarations() ?? []).some((d) =>
      program.isSourceFileDefaultLibrary(d.getSourceFile()),
    );
    if (name !== undefined && fromLib && name in UNSUPPORTED_CLASSES) {
      return { what: name, path, hint: UNSUPPORTED_CLASSES[name] as string };
    }
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) {
      return { what: "a function", path, hint: "take data, not code: a function cannot be sent as JSON" };
    }
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      for (const [i, element] of checker.getTypeArguments(t as ts.TypeReference).entries()) {
        const found = walk(element, `${path}[${checker.isTupleType(t) ? i : ""}]`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    for (const property of checker.getPropertiesOfType(t)) {
      const name = property.getName();
      if (name === "__proto__" || /["\\]/.test(name)) {
        return {
          what: `a property named ${JSON.stringify(name)}`,
          path,
          hint: "rename it: JSON Schema generation cannot carry this name safely",
        };
      }
      const declaration = property.valueDeclaration ?? property.getDeclarations()?.[0];
      if (declaration === undefined) continue;
      const found = walk(
        checker.getTypeOfSymbolAtLocation(property, declaration),
        join2(path, property.getName()),
        depth + 1,
      );
      if (found) return found;
    }
    const index = checker.getIndexInfosOfType(t);
    for (const info of index) {
      const found = walk(info.type, `${path}[key]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(type, "", 0);
}

function join2(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/** Type references in a type annotation that name nothing the checker knows. */
export function unresolvedReferences(checker: ts.TypeChecker, typeNode: ts.TypeNode): ts.TypeReferenceNode[] {
  const out: ts.TypeReferenceNode[] = [];
  const visit = (node: ts.Node): void => {
    // An unknown name resolves to no symbol, or to the checker's placeholder without declarations.
    if (ts.isTypeReferenceNode(node) && !checker.getSymbolAtLocation(node.typeName)?.declarations?.length) {
      out.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(typeNode);
  return out;
}

/** string, a string literal, or a union of those (undefined allowed for optional parameters). */
export function isStringLike(type: ts.Type): boolean {
  if (type.isUnion())
    return type.types.every((t) => isStringLike(t) || (t.flags & ts.TypeFlags.Undefined) !== 0);
  return (
    (type.flags & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral | ts.TypeFlags.TemplateLiteral)) !== 0
  );
}

/** What a handler's result resolves to (the `T` of `Promise<T>`). */
export function awaitedReturnType(checker: ts.TypeChecker, fn: ts.SignatureDeclaration): ts.Type | undefined {
  const signature = checker.getSignatureFromDeclaration(fn);
  if (signature === undefined) return undefined;
  const returned = checker.getReturnTypeOfSignature(signature);
  return checker.getAwaitedType(returned) ?? returned;
}

export type OutputShape =
  /** Text, content blocks or nothing: no output schema. */
  | { readonly structured: false }
  /** Structured content with this type; `wrap` when it is not an object (`{ result }`). */
  | { readonly structured: true; readonly type: ts.Type; readonly wrap: boolean };

const CONTENT_TYPES = [
  "TextContent",
  "ImageContent",
  "AudioContent",
  "ResourceLink",
  "EmbeddedResource",
  "Content",
];

export function outputShape(checker: ts.TypeChecker, type: ts.Type): OutputShape {
  let t = type;
  // An explicit Outcome<T>: what matters is T.
  if (t.aliasSymbol?.getName() === "Outcome" && isRuntimeType(t, "Outcome", "outcome.d.ts")) {
    t = t.aliasTypeArguments?.[0] ?? checker.getAnyType();
  }
  const plain = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Never;
  const text = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike;
  const parts = t.isUnion() ? t.types : [t];
  if (parts.every((p) => (p.flags & (plain | text)) !== 0)) return { structured: false };
  const isContent = (p: ts.Type): boolean =>
    CONTENT_TYPES.some((name) => isRuntimeType(p, name, "content.d.ts"));
  const element = checker.isArrayType(t) ? checker.getTypeArguments(t as ts.TypeReference)[0] : undefined;
  if (
    parts.every(isContent) ||
    (element !== undefined && (element.isUnion() ? element.types : [element]).every(isContent))
  ) {
    return { structured: false };
  }
  const isObject = parts.every(
    (p) => (p.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(p) && !checker.isTupleType(p),
  );
  return { structured: true, type: t, wrap: !isObject };
}

/** A prompt returns a string or PromptMessage[]. */
export function isPromptResult(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (isStringLike(type)) return true;
  if (!checker.isArrayType(type)) return false;
  const element = checker.getTypeArguments(type as ts.TypeReference)[0];
  return (
    element !== undefined &&
    (isStringLike(element) || isRuntimeType(element, "PromptMessage", "content.d.ts"))
  );
}

/** text/plain for strings, application/octet-stream for bytes, application/json for other data. */
export function resourceMimeType(checker: ts.TypeChecker, type: ts.Type): string | undefined {
  if (isStringLike(type)) return "text/plain";
  if (type.getSymbol()?.getName() === "Uint8Array" || type.getSymbol()?.getName() === "Buffer") {
    return "application/octet-stream";
  }
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  return checker.isArrayType(type) || (type.flags & ts.TypeFlags.Object) !== 0
    ? "application/json"
    : undefined;
}
