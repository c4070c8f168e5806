// The catalogue and the cart, in memory: a stand-in for a database.
import { type Book, Genre } from "./types.js";

export const BOOKS: readonly Book[] = [
  {
    isbn: "9780141439518",
    title: "Pride and Prejudice",
    author: "Jane Austen",
    genre: Genre.Fiction,
    year: 1813,
    price: 8.99,
    stock: 12,
  },
  {
    isbn: "9780553380163",
    title: "A Brief History of Time",
    author: "Stephen Hawking",
    genre: Genre.Science,
    year: 1988,
    price: 14.5,
    stock: 4,
  },
  {
    isbn: "9780140449136",
    title: "The Histories",
    author: "Herodotus",
    genre: Genre.History,
    year: 2003,
    price: 13.0,
    stock: 0,
  },
  {
    isbn: "9780374528379",
    title: "The Brothers Karamazov",
    author: "Fyodor Dostoevsky",
    genre: Genre.Fiction,
    year: 2002,
    price: 18.0,
    stock: 3,
  },
  {
    isbn: "9780141187686",
    title: "Collected Poems",
    author: "Sylvia Plath",
    genre: Genre.Poetry,
    year: 1981,
    price: 16.99,
    stock: 6,
  },
  {
    isbn: "9780064400558",
    title: "Charlotte's Web",
    author: "E. B. White",
    genre: Genre.Children,
    year: 1952,
    price: 7.99,
    stock: 20,
  },
  {
    isbn: "9780393354324",
    title: "The Origin of Species",
    author: "Charles Darwin",
    genre: Genre.Science,
    year: 2015,
    price: 11.5,
    stock: 7,
  },
  {
    isbn: "9780679783268",
    title: "Pride and Prejudice (Modern Library)",
    author: "Jane Austen",
    genre: Genre.Fiction,
    year: 1995,
    price: 12.0,
    stock: 2,
  },
];

export function findBook(isbn: string): Book | undefined {
  return BOOKS.find((book) => book.isbn === isbn);
}

/** ISBN → quantity. */
export const cart = new Map<string, number>();

export const RATES = { EUR: 1, USD: 1.08, GBP: 0.86 } as const;
