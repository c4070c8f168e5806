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

export function findTagged(file: ts.SourceFile): TaggedFunction[] {
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
  return found;
}

function taggedAt(node: ts.Node, topLevel: boolean): TaggedFunction | undefined {
  let fn: FunctionNode | undefined;
  let docNode: ts.Node = node;
  let nameNode: ts.Identifier | undefined;
  let placement: Placement = topLevel ? "module" : "nested";
  if (ts.isFunctionDeclaration(node)) {
    fn = node;
    nameNode = node.name;
    if (nameNode === undefined) placement = "anonymous-default";
  } else if (ts.isMethodDeclaration(node)) {
    fn = node;
    placement = "class-method";
  } else if (
    ts.isVariableDeclaration(node) &&
    node.initializer !== undefined &&
    isFunctionExpression(node.initializer)
  ) {
    fn = node.initializer;
    nameNode = ts.isIdentifier(node.name) ? node.name : undefined;
  } else if (ts.isExportAssignment(node) && isFunctionExpression(node.expression)) {
    fn = node.expression;
    placement = "anonymous-default";
  } else if (
    isFunctionExpression(node) &&
    !ts.isVariableDeclaration(node.parent) &&
    !ts.isExportAssignment(node.parent)
  ) {
    fn = node;
    placement = "nested";
  }
  if (fn === undefined) return undefined;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) docNode = fn.parent;
  const doc = readDoc(docNode);
  const kinds = kindTags(doc);
  if (kinds.length === 0) return undefined;
  return nameNode === undefined ? { fn, placement, doc, kinds } : { fn, nameNode, placement, doc, kinds };
}

function isFunctionExpression(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}
