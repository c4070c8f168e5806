// Questions for the type checker: is this parameter the runtime's Context, can JSON carry this
// type, is it a string, and what does a handler return. Only the scanner calls these.
import { join, sep } from "node:path";
import { PACKAGE_ROOT } from "./program.js";
import { ts } from "./ts.js";

/** TypeScript writes file names with forward slashes on every platform. */
const RUNTIME_TYPES = join(PACKAGE_ROOT, "dist", "runtime").split(sep).join("/");

/** A declaration from this package's runtime types, e.g. Context from runtime/context.d.ts. */
function isRuntimeType(type: ts.Type, name: string, file: string): boolean {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (symbol?.getName() !== name) return false;
  return (symbol.getDeclarations() ?? []).some(
    (d) => d.getSourceFile().fileName === `${RUNTIME_TYPES}/${file}`,
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
      if (name.startsWith("#")) {
        return {
          what: `a private field ${name}`,
          path,
          hint: "return plain data: JSON.stringify leaves private fields out",
        };
      }
      if (name === "toJSON") {
        return { what: "a toJSON() method", path, hint: "return the plain data toJSON() would produce" };
      }
      if (
        (property.getDeclarations() ?? []).some(
          (d) => ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d),
        )
      ) {
        return {
          what: `an accessor ${name}`,
          path,
          hint: "use plain data properties: JSON.stringify leaves class accessors out",
        };
      }
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
  /**
   * Structured content of these types (several for an Outcome union); `wrap` when the result is
   * not always an object (`{ result }`), `nullable` when it may be null or undefined.
   */
  | {
      readonly structured: true;
      readonly types: readonly ts.Type[];
      readonly wrap: boolean;
      readonly nullable: boolean;
    };

const CONTENT_TYPES = [
  "TextContent",
  "ImageContent",
  "AudioContent",
  "ResourceLink",
  "EmbeddedResource",
  "Content",
];
const NULLISH = ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null;
const TEXT = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike;

/** For an Outcome (however it is spelled: alias, union, inferred), the types of its ok values. */
export function outcomeValues(checker: ts.TypeChecker, type: ts.Type): ts.Type[] | undefined {
  const parts = type.isUnion() ? type.types : [type];
  const outcomeFile = `${RUNTIME_TYPES}/outcome.d.ts`;
  const isMember = (t: ts.Type) =>
    t.getSymbol()?.getDeclarations()?.[0]?.getSourceFile().fileName === outcomeFile;
  if (!parts.every(isMember)) return undefined;
  const values: ts.Type[] = [];
  for (const part of parts) {
    const kind = part.getProperty("kind");
    const value = part.getProperty("value");
    const kindType = kind === undefined ? undefined : checker.getTypeOfSymbol(kind);
    if (value === undefined || !kindType?.isStringLiteral() || kindType.value !== "ok") continue;
    const t = checker.getTypeOfSymbol(value);
    if (!(t.flags & ts.TypeFlags.Never) && !values.includes(t)) values.push(t);
  }
  return values;
}

export function outputShape(checker: ts.TypeChecker, type: ts.Type): OutputShape {
  const values = outcomeValues(checker, type) ?? [type];
  const parts = values
    .flatMap((v) => (v.isUnion() ? v.types : [v]))
    .filter((p) => !(p.flags & ts.TypeFlags.Never));
  const data = parts.filter((p) => !(p.flags & NULLISH));
  if (data.every((p) => (p.flags & TEXT) !== 0)) return { structured: false };
  const isContent = (p: ts.Type): boolean =>
    CONTENT_TYPES.some((name) => isRuntimeType(p, name, "content.d.ts"));
  const contentArray = (p: ts.Type): boolean => {
    if (!checker.isArrayType(p)) return false;
    const element = checker.getTypeArguments(p as ts.TypeReference)[0];
    return element !== undefined && (element.isUnion() ? element.types : [element]).every(isContent);
  };
  if (data.every((p) => isContent(p) || contentArray(p))) return { structured: false };
  const nullable = data.length < parts.length;
  const isObject = data.every(
    (p) => (p.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(p) && !checker.isTupleType(p),
  );
  const types = values.filter((v) => !(v.flags & NULLISH));
  return { structured: true, types, wrap: nullable || !isObject, nullable };
}

/**
 * The first named type inside `type` that `location` cannot refer to by the name the checker
 * prints (a type of another module that is not imported here, or shadowed by a local one).
 */
export function unnameableAt(checker: ts.TypeChecker, type: ts.Type, location: ts.Node): string | undefined {
  const seen = new Set<ts.Type>();
  const walk = (t: ts.Type, depth: number): string | undefined => {
    if (seen.has(t) || depth > 12) return undefined;
    seen.add(t);
    const named = t.aliasSymbol ?? (t.flags & ts.TypeFlags.Object ? t.getSymbol() : undefined);
    const isNamed =
      named !== undefined &&
      (t.aliasSymbol !== undefined ||
        (named.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.Enum)) !== 0);
    if (isNamed && named !== undefined) {
      const found = checker.resolveName(named.getName(), location, ts.SymbolFlags.Type, false);
      const target =
        found !== undefined && found.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(found) : found;
      if (target !== named) return named.getName();
    }
    const inner = [
      ...(t.aliasTypeArguments ?? []),
      ...(t.isUnionOrIntersection() ? t.types : []),
      ...(checker.isArrayType(t) || checker.isTupleType(t)
        ? checker.getTypeArguments(t as ts.TypeReference)
        : []),
    ];
    if (!isNamed && t.flags & ts.TypeFlags.Object && !checker.isArrayType(t) && !checker.isTupleType(t)) {
      for (const property of checker.getPropertiesOfType(t))
        inner.push(checker.getTypeOfSymbolAtLocation(property, location));
    }
    for (const next of inner) {
      const problem = walk(next, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  return walk(type, 0);
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
