// The bookshop's domain types. Interfaces here become parts of the tools' JSON Schemas; the
// JSDoc on their members becomes descriptions and constraints.

export enum Genre {
  Fiction = "fiction",
  Science = "science",
  History = "history",
  Poetry = "poetry",
  Children = "children",
}

export type Currency = "EUR" | "USD" | "GBP";

export interface PriceRange {
  /**
   * Lowest price, inclusive.
   * @minimum 0
   */
  min?: number;
  /**
   * Highest price, inclusive.
   * @minimum 0
   */
  max?: number;
}

export interface SearchFilters {
  /** Only these genres. */
  genres?: Genre[];
  price?: PriceRange;
  /**
   * Published in or after this year.
   * @integer
   * @minimum 1450
   */
  publishedAfter?: number;
  /** Only books in stock. */
  inStock?: boolean;
}

export interface Book {
  isbn: string;
  title: string;
  author: string;
  genre: Genre;
  year: number;
  /** Price in euros. */
  price: number;
  stock: number;
}

export interface BookSummary {
  isbn: string;
  title: string;
  author: string;
  price: number;
}

export interface CartLine {
  isbn: string;
  title: string;
  quantity: number;
  lineTotal: number;
}

export interface Address {
  name: string;
  street: string;
  city: string;
  /** @pattern ^[0-9A-Z -]{3,10}$ */
  postcode: string;
  /**
   * ISO 3166-1 alpha-2 country code.
   * @pattern ^[A-Z]{2}$
   */
  country: string;
}

export interface OrderRequest {
  /** Who the parcel goes to. */
  shipping: Address;
  /** Gift-wrap every book. */
  giftWrap?: boolean;
  /**
   * A note for the packer.
   * @maxLength 200
   */
  note?: string;
}

export interface Order {
  orderId: string;
  lines: CartLine[];
  total: number;
  currency: Currency;
}
