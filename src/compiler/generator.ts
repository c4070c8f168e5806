// ts-json-schema-generator, set up for this compiler and sharing its program. Two additions to
// the stock parser and formatter: template literal types with open holes (`user-${string}`)
// become patterns instead of plain strings, and intersections keep declaration order.

import {
  AnnotatedType,
  type BaseType,
  type Context,
  createFormatter,
  createParser,
  DEFAULT_CONFIG,
  type Definition,
  derefType,
  IntersectionType,
  IntersectionTypeFormatter,
  type NodeParser,
  SchemaGenerator,
  StringTemplateLiteralNodeParser,
  StringType,
  type SubNodeParser,
} from "ts-json-schema-generator";
import { ts } from "./ts.js";

export const GENERATOR_CONFIG = {
  ...DEFAULT_CONFIG,
  expose: "all" as const,
  topRef: false,
  jsDoc: "extended" as const,
  sortProps: false,
  additionalProperties: false,
  skipTypeCheck: true,
  encodeRefs: false,
  extraTags: ["integer"],
  functions: "fail" as const,
};

export function createSchemaGenerator(program: ts.Program): SchemaGenerator {
  const checker = program.getTypeChecker();
  const parser = createParser(program, GENERATOR_CONFIG, (chain) => {
    // The chain is the parser every sub-parser delegates to (the stock factory does the same).
    chain.addNodeParser(new TemplatePatternParser(chain as unknown as NodeParser, checker));
  });
  const formatter = createFormatter(GENERATOR_CONFIG, (chain, circular) => {
    chain.addTypeFormatter(new OrderedIntersectionFormatter(circular));
  });
  return new SchemaGenerator(program, parser, formatter, GENERATOR_CONFIG);
}

/** `user-${string}` → `{ type: "string", pattern: "^user-.*$" }`; all-literal templates stay enums. */
class TemplatePatternParser implements SubNodeParser {
  private readonly stock: StringTemplateLiteralNodeParser;

  constructor(
    child: NodeParser,
    private readonly checker: ts.TypeChecker,
  ) {
    this.stock = new StringTemplateLiteralNodeParser(child);
  }

  supportsNode(node: ts.Node): boolean {
    return ts.isTemplateLiteralTypeNode(node);
  }

  createType(node: ts.TemplateLiteralTypeNode, context: Context): BaseType {
    const stock = this.stock.createType(node, context);
    if (!(stock instanceof StringType)) return stock;
    let pattern = `^${escapeRegExp(node.head.text)}`;
    for (const span of node.templateSpans)
      pattern += hole(this.checker.getTypeFromTypeNode(span.type)) + escapeRegExp(span.literal.text);
    return new AnnotatedType(new StringType(), { pattern: `${pattern}$` }, false);
  }
}

function hole(type: ts.Type): string {
  if (type.isUnion()) return `(?:${type.types.map(hole).join("|")})`;
  if (type.isStringLiteral()) return escapeRegExp(type.value);
  if (type.isNumberLiteral()) return escapeRegExp(String(type.value));
  if (type.flags & ts.TypeFlags.Number) return "-?\\d+(?:\\.\\d+)?";
  if (type.flags & ts.TypeFlags.BooleanLiteral)
    return (type as { intrinsicName?: string }).intrinsicName ?? "(?:true|false)";
  if (type.flags & ts.TypeFlags.Boolean) return "(?:true|false)";
  return ".*";
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** The stock formatter merges later members first and sorts `required`; keep declaration order. */
class OrderedIntersectionFormatter extends IntersectionTypeFormatter {
  override supportsType(type: BaseType): boolean {
    return type instanceof IntersectionType;
  }

  override getDefinition(type: IntersectionType): Definition {
    const definition = super.getDefinition(type);
    if (definition.properties === undefined) return definition;
    const order: string[] = [];
    for (const member of type.getTypes()) {
      for (const key of Object.keys(
        this.childTypeFormatter.getDefinition(derefType(member)).properties ?? {},
      )) {
        if (!order.includes(key)) order.push(key);
      }
    }
    const rank = (key: string) => {
      const i = order.indexOf(key);
      return i === -1 ? order.length : i;
    };
    const properties = definition.properties;
    definition.properties = Object.fromEntries(
      Object.keys(properties)
        .sort((a, b) => rank(a) - rank(b))
        .map((k) => [k, properties[k] as Definition]),
    );
    if (definition.required !== undefined)
      definition.required = [...definition.required].sort((a, b) => rank(a) - rank(b));
    return definition;
  }
}
