// A slow report that checks stock shelf by shelf: progress, checkpoints and child tasks.
import { setTimeout as delay } from "node:timers/promises";
import type { Context } from "fastmcp-ts";
import { BOOKS } from "../catalogue.js";
import { Genre } from "../types.js";

/**
 * Count the books in stock per genre, checking every shelf in parallel.
 * @tool stock_report
 * @readOnly
 * @timeout 30s
 * @param shelfDelayMs How long checking one shelf takes, in milliseconds
 * @integer
 * @minimum 0
 * @maximum 5000
 */
export async function stockReport(ctx: Context, shelfDelayMs = 20): Promise<Record<string, number>> {
  const genres = Object.values(Genre);
  let checked = 0;
  const counts = await Promise.all(
    genres.map((genre) =>
      ctx.spawn(async (shelf) => {
        await delay(shelfDelayMs, undefined, { signal: shelf.signal });
        shelf.checkpoint();
        ctx.progress(++checked, genres.length, `checked ${genre}`);
        return [genre, BOOKS.filter((b) => b.genre === genre).reduce((sum, b) => sum + b.stock, 0)] as const;
      }),
    ),
  );
  return Object.fromEntries(counts);
}
