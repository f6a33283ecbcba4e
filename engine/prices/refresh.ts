import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceType } from "../../policies/catalog";
import { isRecord } from "../../policies/lib/values";
import { UsageError } from "../errors";
import { awsPrices } from "./aws";
import { azurePrices } from "./azure";
import type { HttpOptions } from "./http";
import type { PriceSource, PricedRow } from "./lookup";

/** The clouds whose public price lists need no account. */
export const REFRESHABLE_CLOUDS = ["aws", "azure"] as const;
export type RefreshableCloud = (typeof REFRESHABLE_CLOUDS)[number];

const SOURCES: Record<RefreshableCloud, PriceSource> = { aws: awsPrices, azure: azurePrices };

export interface RefreshOptions {
  /** The catalog file: read, and rewritten unless `dryRun`. */
  catalogFile: string;
  clouds: readonly RefreshableCloud[];
  /** Per cloud, the scheme and host its price list is read from. */
  baseUrls: Record<RefreshableCloud, string>;
  /** The date refreshed rows get, ISO `YYYY-MM-DD`. */
  today: string;
  dryRun: boolean;
  http: HttpOptions;
}

/** A row whose price was read: the row as it was, and what it became. */
export interface RefreshedRow {
  before: PricedRow;
  after: InstanceType;
}

/** A row the price list had no single price for; it stays as it was. */
export interface MissingRow {
  row: PricedRow;
  reason: string;
}

export interface RefreshResult {
  refreshed: RefreshedRow[];
  missing: MissingRow[];
  /** Whether the catalog file was rewritten. */
  written: boolean;
}

/** The catalog's rows; a file that is not a list of instance types is a usage error. */
export function readCatalog(file: string): InstanceType[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`prices: cannot read the catalog ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new UsageError(`prices: the catalog ${file} is not a JSON array of instance types`);
  }
  data.forEach((row: unknown, i) => {
    if (
      !isRecord(row) ||
      typeof row.cloud !== "string" ||
      typeof row.use !== "string" ||
      typeof row.instanceType !== "string"
    ) {
      throw new UsageError(
        `prices: the catalog ${file}: entry ${i} has no cloud, use and instanceType`,
      );
    }
  });
  return data as InstanceType[];
}

/** Whether a row carries a price a refresh can replace: unpriced types stay unpriced. */
export function isPricedRow(row: InstanceType): row is PricedRow {
  return row.priceStatus !== "unpriced" && row.hourlyUsd !== null && row.region !== null;
}

/**
 * Writes the catalog in its own format (2-space JSON, trailing newline) through a temporary
 * file in the same folder and a rename, so a reader never sees half a file.
 */
function writeCatalogAtomically(file: string, rows: readonly InstanceType[]): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, `${JSON.stringify(rows, null, 2)}\n`);
    fs.renameSync(temporary, file);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}

/**
 * Reads the price of every priced row of the chosen clouds from the clouds' public price lists
 * and, unless `dryRun`, rewrites the catalog with the prices found. Every list is read before
 * anything is written: a failed download or a malformed answer throws a `PriceSourceError` and
 * leaves the file as it was.
 */
export async function refreshPrices(options: RefreshOptions): Promise<RefreshResult> {
  const rows = readCatalog(options.catalogFile);
  const updated = [...rows];
  const refreshed: RefreshedRow[] = [];
  const missing: MissingRow[] = [];
  for (const cloud of options.clouds) {
    const indexes = rows.flatMap((row, i) => (row.cloud === cloud && isPricedRow(row) ? [i] : []));
    const priced = indexes.map((i) => rows[i] as PricedRow);
    const lookups = await SOURCES[cloud](priced, {
      baseUrl: options.baseUrls[cloud],
      http: options.http,
    });
    indexes.forEach((index, n) => {
      const lookup = lookups[n];
      const before = priced[n];
      if ("missing" in lookup) {
        missing.push({ row: before, reason: lookup.missing });
        return;
      }
      const after: InstanceType = {
        ...before,
        hourlyUsd: lookup.hourlyUsd,
        source: lookup.source,
        priceDate: options.today,
        priceStatus: "published",
      };
      updated[index] = after;
      refreshed.push({ before, after });
    });
  }
  const written = !options.dryRun && refreshed.length > 0;
  if (written) {
    writeCatalogAtomically(options.catalogFile, updated);
  }
  return { refreshed, missing, written };
}
