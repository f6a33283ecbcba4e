import type { InstanceType } from "../../policies/catalog";
import type { HttpOptions } from "./http";

/** A catalog row that carries a price: the rows a refresh looks up. */
export type PricedRow = InstanceType & { hourlyUsd: number; region: string };

/** What a cloud's price list says about one row: its price and the URL read, or why not. */
export type PriceLookup = { hourlyUsd: number; source: string } | { missing: string };

export interface SourceOptions {
  /** Scheme and host the price list is read from, without a trailing slash. */
  baseUrl: string;
  http: HttpOptions;
}

/** Looks up every row's price; the answer at index i is for `rows[i]`. */
export type PriceSource = (
  rows: readonly PricedRow[],
  options: SourceOptions,
) => Promise<PriceLookup[]>;

/**
 * The price of one row from the prices the list gives for it: one price, or a reason. Two
 * different prices for the same filter mean the filter does not single out the on-demand Linux
 * rate, so the row is reported rather than guessed.
 */
export function onePrice(prices: readonly number[], source: string, absent: string): PriceLookup {
  const distinct = [...new Set(prices)].sort((a, b) => a - b);
  if (distinct.length === 0) {
    return { missing: absent };
  }
  if (distinct.length > 1) {
    return {
      missing: `${distinct.length} different prices match (${distinct.join(", ")} USD/h); the filter does not single one out`,
    };
  }
  if (distinct[0] <= 0) {
    return { missing: `the only matching price is ${distinct[0]} USD/h` };
  }
  return { hourlyUsd: distinct[0], source };
}
