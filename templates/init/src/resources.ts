// Resources: data a client can read by URI. A URI with {variables} is a template, and the
// variables are the function's parameters.
import { ToolError } from "fastmcp-ts";

const GREETINGS: Record<string, string> = {
  en: "Hello!",
  fr: "Bonjour !",
  de: "Hallo!",
  es: "¡Hola!",
};

/**
 * What this server is for.
 * @resource about://server
 * @mimeType text/markdown
 */
export function about(): string {
  return "# About\n\nA sample MCP server built with fastmcp-ts: one tool, two resources and a prompt.\n";
}

/**
 * A greeting in one language.
 * @resource greetings://{language}
 */
export function greeting(language: string): string {
  const text = GREETINGS[language];
  // -32002: MCP's "resource not found".
  if (text === undefined) throw new ToolError(`No greeting in "${language}"`, { code: -32002 });
  return text;
}
