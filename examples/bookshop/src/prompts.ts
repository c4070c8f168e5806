// Prompts: ready-made requests a user can pick in the client.
import { type PromptMessage, text } from "fastmcp-ts";

/**
 * Ask for book recommendations.
 * @prompt recommend_books
 * @param genre The genre to recommend from
 * @param mood How the reader feels today
 */
export function recommendBooks(genre: string, mood?: string): string {
  const feeling = mood === undefined ? "" : ` I am in a ${mood} mood.`;
  return `Recommend three ${genre} books from the shop's catalogue.${feeling} Use search_books to check they are in stock.`;
}

/**
 * Draft a request for a customer review.
 * @prompt review_request
 * @param title The book the customer bought
 */
export function reviewRequest(title: string): PromptMessage[] {
  return [
    { role: "user", content: text(`Write a short, friendly email asking a customer to review "${title}".`) },
    { role: "assistant", content: text("Here is a draft you can adapt:") },
  ];
}
