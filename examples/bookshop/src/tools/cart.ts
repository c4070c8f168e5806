// The cart and orders: state-changing tools, a masked critical section, a budget of its own.
import { randomUUID } from "node:crypto";
import { type Context, ToolError } from "fastmcp-ts";
import { cart, findBook, RATES } from "../catalogue.js";
import type { CartLine, Currency, Order, OrderRequest } from "../types.js";

/**
 * Put copies of a book in the cart.
 * @tool add_to_cart
 * @param isbn The book's ISBN
 * @pattern ^97[89][0-9]{10}$
 * @param quantity How many copies
 * @integer
 * @minimum 1
 * @maximum 10
 */
export async function addToCart(isbn: string, quantity = 1): Promise<string> {
  const book = findBook(isbn);
  if (book === undefined) throw new ToolError(`No book with ISBN ${isbn}.`);
  const wanted = (cart.get(isbn) ?? 0) + quantity;
  if (wanted > book.stock) throw new ToolError(`Only ${book.stock} copies of "${book.title}" in stock.`);
  cart.set(isbn, wanted);
  return `${wanted} × "${book.title}" in the cart.`;
}

/**
 * Empty the cart.
 * @tool clear_cart
 * @destructive
 * @idempotent
 */
export async function clearCart(): Promise<void> {
  cart.clear();
}

/**
 * What is in the cart, with the total in a currency.
 * @tool view_cart
 * @readOnly
 * @param currency Currency for the prices
 */
export async function viewCart(
  currency: Currency = "EUR",
): Promise<{ lines: CartLine[]; total: number; currency: Currency }> {
  const lines = cartLines(currency);
  return { lines, total: round(lines.reduce((sum, line) => sum + line.lineTotal, 0)), currency };
}

/**
 * Convert an amount between the shop's currencies.
 * @tool convert_price
 * @readOnly
 * @idempotent
 * @param amount The amount to convert
 * @exclusiveMinimum 0
 * @param from Currency of the amount
 * @param to Currency wanted
 */
export function convertPrice(amount: number, from: Currency, to: Currency): number {
  return round((amount / RATES[from]) * RATES[to]);
}

/**
 * Place an order for everything in the cart.
 * @tool place_order
 * @destructive
 * @timeout 10s
 */
export async function placeOrder(ctx: Context, { shipping, giftWrap, note }: OrderRequest): Promise<Order> {
  const lines = cartLines("EUR");
  if (lines.length === 0) throw new ToolError("The cart is empty: add books before ordering.");
  ctx.log.info("placing an order", {
    items: lines.length,
    city: shipping.city,
    giftWrap: giftWrap ?? false,
    note,
  });
  // Once payment starts it must finish: a cancellation arriving now takes effect afterwards.
  const order = await ctx.masked(async () => {
    const taken: Order = {
      orderId: randomUUID(),
      lines,
      total: round(lines.reduce((s, l) => s + l.lineTotal, 0)),
      currency: "EUR",
    };
    cart.clear();
    return taken;
  });
  ctx.checkpoint();
  return order;
}

function cartLines(currency: Currency): CartLine[] {
  return [...cart].flatMap(([isbn, quantity]) => {
    const book = findBook(isbn);
    return book === undefined
      ? []
      : [{ isbn, title: book.title, quantity, lineTotal: round(book.price * quantity * RATES[currency]) }];
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
