// Resources: the store's details, and each book by ISBN.
import { ToolError } from "fastmcp-ts";
import { findBook } from "./catalogue.js";
import type { Book } from "./types.js";

/**
 * Opening hours and contact details.
 * @resource bookshop://store/info
 * @mimeType application/json
 */
export async function storeInfo(): Promise<{ name: string; hours: string; email: string }> {
  return { name: "The Corner Bookshop", hours: "Mon–Sat 9:00–18:00", email: "hello@corner-books.example" };
}

/**
 * One book of the catalogue.
 * @resource bookshop://books/{isbn}
 * @mimeType application/json
 */
export async function bookByIsbn(isbn: string): Promise<Book> {
  const book = findBook(isbn);
  if (book === undefined) throw new ToolError(`No book with ISBN ${isbn}`, { code: -32002, data: { isbn } });
  return book;
}
