// Tools: functions a model can call. Every exported function tagged @tool becomes one; its
// parameters' types become the input schema, and its JSDoc the descriptions.
import { type Context, ToolError } from "fastmcp-ts";

/**
 * Count the words in a text, paragraph by paragraph.
 * @tool count_words
 * @readOnly
 * @param text The text to count
 * @minLength 1
 * @param minChars Count only words of at least this many characters
 * @integer
 * @minimum 1
 */
export async function countWords(
  ctx: Context,
  text: string,
  minChars = 1,
): Promise<{ words: number; paragraphs: number; longest: string }> {
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim() !== "");
  let words = 0;
  let longest = "";
  for (const [index, paragraph] of paragraphs.entries()) {
    ctx.checkpoint(); // throws if the client cancelled or the time budget ran out
    for (const word of paragraph.split(/\s+/)) {
      if (word.length < minChars) continue;
      words++;
      if (word.length > longest.length) longest = word;
    }
    ctx.progress(index + 1, paragraphs.length); // sent only when the client asked for progress
  }
  // A ToolError is an answer the model can read and act on (isError: true), not a crash.
  if (words === 0) throw new ToolError(`No words of ${minChars} or more characters in the text.`);
  return { words, paragraphs: paragraphs.length, longest };
}
