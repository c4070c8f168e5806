// Finding books: search with filters (checkpoints and progress), lookup by ISBN, genres.
import { setTimeout as delay } from "node:timers/promises";
import { type Context, ToolError } from "fastmcp-ts";
import { BOOKS, findBook } from "../catalogue.js";
import { type Book, type BookSummary, Genre, type SearchFilters } from "../types.js";

/**
 * Search the catalogue by title or author.
 * @tool search_books
 * @title Search books
 * @readOnly
 * @timeout 5s
 * @param query Words to look for in titles and authors
 * @minLength 2
 * @param limit How many results at most
 * @integer
 * @minimum 1
 * @maximum 50
 * @param filters Narrow the search down
 */
export async function searchBooks(
  ctx: Context,
  query: string,
  limit = 10,
  filters?: SearchFilters,
): Promise<{ results: BookSummary[]; total: number }> {
  const words = query.toLowerCase().split(/\s+/);
  const matches: Book[] = [];
  // The catalogue is searched in pages, as a real one would be; each page is a point to stop at.
  for (let page = 0; page < BOOKS.length; page += 4) {
    ctx.checkpoint();
    await delay(5, undefined, { signal: ctx.signal });
    for (const book of BOOKS.slice(page, page + 4)) {
      const text = `${book.title} ${book.author}`.toLowerCase();
      if (words.every((w) => text.includes(w)) && accepts(book, filters)) matches.push(book);
    }
    ctx.progress(Math.min(page + 4, BOOKS.length), BOOKS.length, "searching the catalogue");
  }
  const results = matches
    .slice(0, limit)
    .map(({ isbn, title, author, price }) => ({ isbn, title, author, price }));
  return { results, total: matches.length };
}

function accepts(book: Book, filters: SearchFilters | undefined): boolean {
  if (filters === undefined) return true;
  if (filters.genres !== undefined && !filters.genres.includes(book.genre)) return false;
  if (filters.price?.min !== undefined && book.price < filters.price.min) return false;
  if (filters.price?.max !== undefined && book.price > filters.price.max) return false;
  if (filters.publishedAfter !== undefined && book.year < filters.publishedAfter) return false;
  if (filters.inStock === true && book.stock === 0) return false;
  return true;
}

/**
 * Everything about one book.
 * @tool get_book
 * @readOnly
 * @idempotent
 * @param isbn The 13-digit ISBN
 * @pattern ^97[89][0-9]{10}$
 */
export async function getBook(isbn: string): Promise<Book> {
  const book = findBook(isbn);
  if (book === undefined) throw new ToolError(`No book with ISBN ${isbn} in the catalogue.`);
  return book;
}

/**
 * The genres the shop sells.
 * @tool list_genres
 * @readOnly
 */
export async function listGenres(): Promise<Genre[]> {
  return Object.values(Genre);
}
