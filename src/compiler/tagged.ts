// Finds, by syntax alone, every function in a file whose JSDoc carries @tool, @resource or
// @prompt, wherever it is: the scanner decides which of them are usable and reports the rest.

import { type Doc, type DocTag, kindTags, readDoc } from "./jsdoc.js";
import { ts } from "./ts.js";

export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.MethodDeclaration;

export type Placement =
  /** `function f` or `const f = () =>` at the top level of the module. */
  | "module"
  /** `export default function () {}` or `export default () =>`. */
  | "anonymous-default"
  | "class-method"
  /** Inside a function or block, where no export can reach it. */
  | "nested";

export interface TaggedFunction {
  readonly fn: FunctionNode;
  /** The identifier naming it (function or variable name), when it has one. */
  readonly nameNode?: ts.Identifier;
  readonly placement: Placement;
  readonly doc: Doc;
  readonly kinds: readonly DocTag[];
}

/** A kind tag on anything but a usable function (a class, a wrapped function, an earlier JSDoc block). */
export interface StrayTag {
  readonly name: string;
  /** Offset of the `@` in the file, and the length of `@tool`. */
  readonly start: number;
  readonly length: number;
}

export interface TaggedFile {
  readonly functions: TaggedFunction[];
  readonly stray: StrayTag[];
}

export function findTagged(file: ts.SourceFile): TaggedFile {
  if (!/@(tool|resource|prompt)\b/.test(file.text)) return { functions: [], stray: [] };
  const found: TaggedFunction[] = [];
  const visit = (node: ts.Node, topLevel: boolean): void => {
    const tagged = taggedAt(node, topLevel);
    if (tagged !== undefined) found.push(tagged);
    const childrenTopLevel =
      topLevel &&
      (ts.isSourceFile(node) ||
        ts.isVariableStatement(node) ||
        ts.isVariableDeclarationList(node) ||
        ts.isVariableDeclaration(node) ||
        ts.isExportAssignment(node));
    ts.forEachChild(node, (child) => visit(child, childrenTopLevel));
  };
  visit(file, true);
  // Every kind tag in any JSDoc comment (a node keeps only its last block in the API, so read
  // the comments themselves); the ones no function consumed are reported.
  const consumed = new Set(found.flatMap((f) => f.kinds.map((k) => k.node.tagName.getStart(file))));
  const stray: StrayTag[] = [];
  const seen = new Set<number>();
  const collect = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(file.text, node.pos) ?? []) {
      if (seen.has(range.pos) || !file.text.startsWith("/**", range.pos)) continue;
      seen.add(range.pos);
      const comment = file.text.slice(range.pos, range.end);
      for (const match of comment.matchAll(/(^|[\s*])@(tool|resource|prompt)\b/g)) {
        const at = range.pos + (match.index ?? 0) + (match[1] as string).length + 1;
        if (!consumed.has(at))
          stray.push({ name: match[2] as string, start: at - 1, length: (match[2] as string).length + 1 });
      }
    }
    ts.forEachChild(node, collect);
  };
  collect(file);
  return { functions: found, stray };
}

function taggedAt(node: ts.Node, topLevel: boolean): TaggedFunction | undefined {
  let fn: FunctionNode | undefined;
  const docNode: ts.Node = node;
  let nameNode: ts.Identifier | undefined;
  let placement: Placement = topLevel ? "module" : "nested";
  if (ts.isFunctionDeclaration(node)) {
    fn = node;
    nameNode = node.name;
    if (nameNode === undefined) placement = "anonymous-default";
  } else if (ts.isMethodDeclaration(node)) {
    fn = node;
    placement = "class-method";
  } else if (ts.isVariableDeclaration(node) && node.initializer !== undefined) {
    const inner = unwrap(node.initializer);
    if (isFunctionExpression(inner)) {
      fn = inner;
      nameNode = ts.isIdentifier(node.name) ? node.name : undefined;
    }
  } else if (ts.isExportAssignment(node)) {
    const inner = unwrap(node.expression);
    if (isFunctionExpression(inner)) {
      fn = inner;
      placement = "anonymous-default";
    }
  } else if (isFunctionExpression(node) && !ownedByDeclaration(node)) {
    // A function passed somewhere (wrap(async () => ...)) is not a handler; its tags are stray.
    return undefined;
  }
  if (fn === undefined) return undefined;
  const doc = readDoc(docNode);
  const kinds = kindTags(doc);
  if (kinds.length === 0) return undefined;
  return nameNode === undefined ? { fn, placement, doc, kinds } : { fn, nameNode, placement, doc, kinds };
}

/** `(fn)`, `fn as T`, `fn satisfies T`, `fn!`: the function inside. */
export function unwrap(node: ts.Expression): ts.Expression {
  let inner = node;
  while (
    ts.isParenthesizedExpression(inner) ||
    ts.isAsExpression(inner) ||
    ts.isSatisfiesExpression(inner) ||
    ts.isTypeAssertionExpression(inner) ||
    ts.isNonNullExpression(inner)
  ) {
    inner = inner.expression;
  }
  return inner;
}

/** A function expression that a variable or default export owns (directly or through wrappers). */
export function ownedByDeclaration(fn: ts.Node): boolean {
  let parent = fn.parent;
  while (
    ts.isParenthesizedExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isSatisfiesExpression(parent) ||
    ts.isTypeAssertionExpression(parent) ||
    ts.isNonNullExpression(parent)
  ) {
    parent = parent.parent;
  }
  return ts.isVariableDeclaration(parent) || ts.isExportAssignment(parent);
}

function isFunctionExpression(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}
