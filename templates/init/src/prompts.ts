// Prompts: ready-made messages a user can pick in the client, filled in with arguments.

/**
 * Ask for a summary of a text.
 * @prompt summarize
 * @param text The text to summarize
 * @param style How the summary should read, e.g. "three bullet points"
 */
export function summarize(text: string, style?: string): string {
  const how = style === undefined ? "" : ` Write it as ${style}.`;
  return `Summarize the following text.${how}\n\n${text}`;
}
