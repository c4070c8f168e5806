// Parameters of a handler: which one is the Context, what each of the others contributes to the
// input object (type text, description, constraints, default), and the rules that depend on
// the kind: prompt and template arguments are strings, template variables match parameters.

import { Code } from "./diagnostics.js";
import type { DocTag } from "./jsdoc.js";
import type { ConstraintTag, Location, Parameter } from "./model.js";
import type { Scanner } from "./scan.js";
import type { TaggedFunction } from "./tagged.js";
import { isConstraintTag } from "./tags.js";
import { ts } from "./ts.js";
import { findUnsupported, isContextType, isStringLike, unresolvedReferences } from "./types.js";

/** What JSDoc says about one property of a destructured input. */
export interface PropertyTags {
  readonly property: string;
  readonly description?: string;
  /** The @param tag. */
  readonly location: Location;
  readonly constraints: readonly ConstraintTag[];
}

export interface Parameters {
  readonly list: Parameter[];
  readonly contextPosition?: number;
  readonly destructured: boolean;
  /** Parameters a caller passes (a `this` parameter is not one of them). */
  readonly arity: number;
  readonly propertyTags: PropertyTags[];
  /** The synthetic declaration of the input type, under the given name. */
  synthetic(name: string): string;
}

export function readParameters(
  s: Scanner,
  tagged: TaggedFunction,
  kind: "tool" | "resource" | "prompt",
): Parameters | undefined {
  const fn = tagged.fn;
  const contexts: number[] = [];
  const inputs: ts.ParameterDeclaration[] = [];
  let ok = true;
  const real = argumentParameters(fn);
  for (const [i, p] of real.entries()) {
    if (p.dotDotDotToken !== undefined) {
      s.report(p, {
        code: Code.ParameterForm,
        severity: "error",
        message: "a rest parameter cannot be part of the input",
        hint: "take an array parameter instead",
      });
      ok = false;
    } else if (isContext(s.checker, p)) contexts.push(i);
    else inputs.push(p);
  }
  if (contexts.length > 1) {
    s.report(real[contexts[1] as number] as ts.Node, {
      code: Code.TwoContexts,
      severity: "error",
      message: "a handler takes at most one Context parameter",
    });
    ok = false;
  }
  const destructured = inputs.length === 1 && !ts.isIdentifier((inputs[0] as ts.ParameterDeclaration).name);
  if (destructured && ts.isArrayBindingPattern((inputs[0] as ts.ParameterDeclaration).name)) {
    s.report((inputs[0] as ts.ParameterDeclaration).name, {
      code: Code.ParameterForm,
      severity: "error",
      message: "the input is an object; an array-destructured parameter cannot bind it",
      hint: "destructure an object ({ a, b }: Input) or use named parameters",
    });
    return undefined;
  }
  for (const p of inputs) {
    if (!ts.isIdentifier(p.name) && !destructured) {
      s.report(p.name, {
        code: Code.ParameterForm,
        severity: "error",
        message: "a destructured parameter must be the only input parameter",
        hint: "use named parameters, or one destructured object that holds them all",
      });
      ok = false;
    } else if (p.type === undefined && (destructured || literalType(p.initializer) === undefined)) {
      s.report(p.name, {
        code: Code.ParameterForm,
        severity: "error",
        message: `parameter ${p.name.getText()} needs a type annotation to become part of the input schema`,
      });
      ok = false;
    } else if (!checkType(s, p, kind)) ok = false;
  }
  if (!ok) return undefined;
  const { list, propertyTags } = attachDocs(s, tagged, inputs, destructured);
  if (kind === "resource" && !checkResource(s, tagged, list, destructured)) return undefined;
  const contextPosition = contexts[0];
  return {
    list,
    destructured,
    propertyTags,
    arity: real.length,
    ...(contextPosition === undefined ? {} : { contextPosition }),
    synthetic: (name) => {
      const only = inputs[0];
      if (destructured && only?.type !== undefined) return `export type ${name} = ${only.type.getText()};\n`;
      const members = inputs.map((p) => {
        const type = p.type?.getText() ?? literalType(p.initializer);
        return `  ${p.name.getText()}${p.questionToken !== undefined || p.initializer !== undefined ? "?" : ""}: ${type};\n`;
      });
      return `export interface ${name} {\n${members.join("")}}\n`;
    },
  };
}

/** The parameters callers pass: everything but a TypeScript `this` parameter. */
export function argumentParameters(fn: ts.SignatureDeclaration): ts.ParameterDeclaration[] {
  return fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"));
}

function isContext(checker: ts.TypeChecker, p: ts.ParameterDeclaration): boolean {
  const type = checker.getTypeAtLocation(p);
  const parts = type.isUnion() ? type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)) : [type];
  return parts.length === 1 && isContextType(parts[0] as ts.Type);
}

/** The type an unannotated parameter gets from a literal initializer. */
function literalType(initializer: ts.Expression | undefined): string | undefined {
  if (initializer === undefined) return undefined;
  if (
    ts.isNumericLiteral(initializer) ||
    (ts.isPrefixUnaryExpression(initializer) && ts.isNumericLiteral(initializer.operand))
  ) {
    return "number";
  }
  if (ts.isStringLiteral(initializer) || ts.isNoSubstitutionTemplateLiteral(initializer)) return "string";
  if (initializer.kind === ts.SyntaxKind.TrueKeyword || initializer.kind === ts.SyntaxKind.FalseKeyword)
    return "boolean";
  return undefined;
}

/** A literal initializer's value (`limit = 10` → 10); undefined when it is not a literal. */
function literalValue(node: ts.Expression): { value: unknown } | undefined {
  if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  ) {
    return { value: -Number(node.operand.text) };
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { value: node.text };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  if (ts.isArrayLiteralExpression(node)) {
    const items = node.elements.map(literalValue);
    return items.every((i) => i !== undefined) ? { value: items.map((i) => i?.value) } : undefined;
  }
  return undefined;
}

/** JSON can carry it, it names only known types, and prompts and resources get strings. */
function checkType(s: Scanner, p: ts.ParameterDeclaration, kind: "tool" | "resource" | "prompt"): boolean {
  let ok = true;
  if (p.type !== undefined) {
    for (const ref of unresolvedReferences(s.checker, p.type)) {
      s.report(ref, {
        code: Code.UnresolvedType,
        severity: "error",
        message: `cannot resolve type ${ref.typeName.getText()}`,
        hint: "import it, or check its spelling",
      });
      ok = false;
    }
  }
  if (!ok) return false;
  const type = s.checker.getTypeAtLocation(p);
  const unsupported = findUnsupported(s.checker, s.program, type);
  if (unsupported !== undefined) {
    const where =
      unsupported.path === ""
        ? ""
        : ` at ${p.name.getText()}${unsupported.path.startsWith("[") ? "" : "."}${unsupported.path}`;
    s.report(p.type ?? p, {
      code: Code.UnsupportedType,
      severity: "error",
      message: `parameter ${p.name.getText()} contains ${unsupported.what}${where}, which JSON cannot carry`,
      hint: unsupported.hint,
    });
    return false;
  }
  if (kind !== "tool") {
    const properties = ts.isIdentifier(p.name)
      ? [type]
      : s.checker.getPropertiesOfType(type).map((prop) => s.checker.getTypeOfSymbolAtLocation(prop, p));
    if (!properties.every(isStringLike)) {
      s.report(p.type ?? p, {
        code: Code.StringsOnly,
        severity: "error",
        message: `${kind === "prompt" ? "prompt arguments" : "resource template variables"} are strings; ${p.name.getText()} is ${s.checker.typeToString(type)}`,
        hint: "take a string (a union of string literals offers completions)",
      });
      return false;
    }
  }
  return true;
}

/**
 * Descriptions from `@param name text`, and the constraint tags that follow a @param: they
 * constrain that parameter. For a destructured input they name properties of the object.
 */
function attachDocs(
  s: Scanner,
  tagged: TaggedFunction,
  inputs: readonly ts.ParameterDeclaration[],
  destructured: boolean,
): { list: Parameter[]; propertyTags: PropertyTags[] } {
  const byName = new Map<string, { description?: string; tags: DocTag[]; at: ts.Node }>();
  const contextNames = new Set(
    argumentParameters(tagged.fn)
      .filter((p) => !inputs.includes(p))
      .map((p) => p.name.getText()),
  );
  let current: string | undefined;
  for (const tag of tagged.doc.tags) {
    if (tag.name === "param") {
      current = tag.param;
      if (current === "") {
        s.report(tag.node, {
          code: Code.StrayTag,
          severity: "error",
          message: "@param needs the name of a parameter",
        });
        current = undefined;
        continue;
      }
      if (current === undefined || contextNames.has(current)) {
        current = undefined;
        continue;
      }
      if (!destructured && !inputs.some((p) => p.name.getText() === current)) {
        s.report(tag.node, {
          code: Code.StrayTag,
          severity: "error",
          message: `@param ${current} names no parameter of this function`,
        });
        current = undefined;
        continue;
      }
      byName.set(current, {
        ...(tag.text === "" ? {} : { description: tag.text }),
        tags: byName.get(current)?.tags ?? [],
        at: tag.node,
      });
    } else if (isConstraintTag(tag.name)) {
      if (current === undefined) {
        s.report(tag.node.tagName, {
          code: Code.StrayTag,
          severity: "error",
          message: `@${tag.name} does not follow a @param, so it constrains nothing`,
          hint: `put it after the @param line of the parameter it constrains`,
        });
      } else byName.get(current)?.tags.push(tag);
    }
  }
  if (destructured) {
    const propertyTags = [...byName].map(([property, doc]) => ({
      property,
      ...(doc.description === undefined ? {} : { description: doc.description }),
      location: s.locate(doc.at),
      constraints: doc.tags.map((t) => ({ name: t.name, text: t.text, location: s.locate(t.node) })),
    }));
    return { list: [], propertyTags };
  }
  const list = inputs.map((p): Parameter => {
    const name = p.name.getText();
    const doc = byName.get(name);
    const initial = p.initializer === undefined ? undefined : literalValue(p.initializer);
    const constraints: ConstraintTag[] = (doc?.tags ?? []).map((t) => ({
      name: t.name,
      text: t.text,
      location: s.locate(t.node),
    }));
    return {
      name,
      position: argumentParameters(tagged.fn).indexOf(p),
      optional: p.questionToken !== undefined || p.initializer !== undefined,
      hasDefault: initial !== undefined,
      constraints,
      location: s.locate(p),
      ...(doc?.description === undefined ? {} : { description: doc.description }),
      ...(initial === undefined ? {} : { defaultValue: initial.value }),
    };
  });
  return { list, propertyTags: [] };
}

/** A static resource takes no input; a template's `{variables}` are exactly its parameters. */
function checkResource(
  s: Scanner,
  tagged: TaggedFunction,
  list: readonly Parameter[],
  destructured: boolean,
): boolean {
  const uri = tagged.kinds[0]?.text.split(/\s+/)[0] ?? "";
  const at = tagged.kinds[0]?.node ?? tagged.fn;
  const variables = [...uri.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] as string);
  const params = list.map((p) => p.name);
  if (destructured) {
    s.report(at, {
      code: Code.TemplateMismatch,
      severity: "error",
      message: "a resource takes its template variables as named string parameters",
    });
    return false;
  }
  const bad = variables.find((v) => !/^[A-Za-z_$][\w$]*$/.test(v));
  if (bad !== undefined) {
    s.report(at, {
      code: Code.TemplateMismatch,
      severity: "error",
      message: `template variable {${bad}} is not a parameter name`,
    });
    return false;
  }
  const missing = variables.filter((v) => !params.includes(v));
  const extra = params.filter((p) => !variables.includes(p));
  if (missing.length === 0 && extra.length === 0) return true;
  const parts = [
    ...(missing.length > 0 ? [`no parameter for ${missing.map((v) => `{${v}}`).join(", ")}`] : []),
    ...(extra.length > 0
      ? [`parameter${extra.length > 1 ? "s" : ""} ${extra.join(", ")} not in the URI`]
      : []),
  ];
  s.report(at, {
    code: Code.TemplateMismatch,
    severity: "error",
    message:
      variables.length === 0
        ? `static resource ${uri} takes no parameters (${parts.join("; ")})`
        : `template ${uri}: ${parts.join("; ")}`,
    hint: "the set of {variables} must equal the set of non-Context parameters",
  });
  return false;
}
