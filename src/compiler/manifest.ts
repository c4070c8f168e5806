// manifest.json: everything the server offers, for review and CI diffing. Paths are
// project-relative and keys are in a fixed order, so the file changes only when the server does.
import type { ProjectModel } from "./model.js";

export function manifest(model: ProjectModel): string {
  const source = (e: { location: { file: string; line: number; column: number } }) =>
    `${e.location.file}:${e.location.line}:${e.location.column}`;
  const pick = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
  const out = {
    server: model.server,
    tools: model.entries.flatMap((e) =>
      e.kind === "tool"
        ? [
            pick({
              name: e.name,
              title: e.title,
              description: e.description,
              inputSchema: e.inputSchema,
              outputSchema: e.outputSchema,
              annotations: e.annotations,
              timeoutMs: e.timeoutMs,
              source: source(e),
            }),
          ]
        : [],
    ),
    resources: model.entries.flatMap((e) =>
      e.kind === "resource"
        ? [
            pick({
              uri: e.uri,
              name: e.name,
              title: e.title,
              description: e.description,
              mimeType: e.mimeType,
              source: source(e),
            }),
          ]
        : [],
    ),
    resourceTemplates: model.entries.flatMap((e) =>
      e.kind === "resourceTemplate"
        ? [
            pick({
              uriTemplate: e.uriTemplate,
              name: e.name,
              title: e.title,
              description: e.description,
              mimeType: e.mimeType,
              completions: Object.keys(e.completions).length > 0 ? e.completions : undefined,
              source: source(e),
            }),
          ]
        : [],
    ),
    prompts: model.entries.flatMap((e) =>
      e.kind === "prompt"
        ? [
            pick({
              name: e.name,
              title: e.title,
              description: e.description,
              arguments: e.arguments,
              completions: Object.keys(e.completions).length > 0 ? e.completions : undefined,
              source: source(e),
            }),
          ]
        : [],
    ),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
