// The pinned TypeScript, loaded with require(): importing its 9 MB CommonJS file from ESM makes
// Node scan it for named exports, which cost ~300 ms of every build. The namespace beside the
// value carries the types this compiler uses.
import { createRequire } from "node:module";
import type * as TS from "typescript";

export const ts: typeof TS = createRequire(import.meta.url)("typescript");

export declare namespace ts {
  export type ArrowFunction = TS.ArrowFunction;
  export type CompilerHost = TS.CompilerHost;
  export type CompilerOptions = TS.CompilerOptions;
  export type Diagnostic = TS.Diagnostic;
  export type Expression = TS.Expression;
  export type FunctionDeclaration = TS.FunctionDeclaration;
  export type FunctionExpression = TS.FunctionExpression;
  export type Identifier = TS.Identifier;
  export type JSDoc = TS.JSDoc;
  export type JSDocTag = TS.JSDocTag;
  export type MethodDeclaration = TS.MethodDeclaration;
  export type Node = TS.Node;
  export type ParameterDeclaration = TS.ParameterDeclaration;
  export type Program = TS.Program;
  export type SemanticDiagnosticsBuilderProgram = TS.SemanticDiagnosticsBuilderProgram;
  export type SignatureDeclaration = TS.SignatureDeclaration;
  export type SourceFile = TS.SourceFile;
  export type TemplateLiteralTypeNode = TS.TemplateLiteralTypeNode;
  export type Type = TS.Type;
  export type TypeChecker = TS.TypeChecker;
  export type TypeNode = TS.TypeNode;
  export type TypeReference = TS.TypeReference;
  export type TypeReferenceNode = TS.TypeReferenceNode;
}
