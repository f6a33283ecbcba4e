import * as path from "node:path";
import { type CommandHelp, parseFlags } from "../args";
import { UsageError } from "../errors";
import { AWS_PRICE_LIST_URL } from "../prices/aws";
import { AZURE_RETAIL_PRICES_URL } from "../prices/azure";
import { DEFAULT_IDLE_TIMEOUT_MS, PriceSourceError } from "../prices/http";
import {
  REFRESHABLE_CLOUDS,
  type RefreshResult,
  type RefreshableCloud,
  refreshPrices,
} from "../prices/refresh";
import { PROJECT_DIR } from "../project";
import { renderTable } from "../table";

export const FLAGS = {
  cloud: { type: "string", multiple: true },
  "gcp-api-key": { type: "string" },
  "dry-run": { type: "boolean" },
  "base-url-aws": { type: "string" },
  "base-url-azure": { type: "string" },
  "base-url-gcp": { type: "string" },
  catalog: { type: "string" },
} as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "[--cloud aws|azure]... [--dry-run] [--catalog FILE]",
  description:
    "Rebuilds the catalog's prices from the AWS Price List bulk files and the Azure Retail Prices API, which need no account. Exit 0 when every list was read, 1 when one could not be read (nothing written), 2 on bad input. GCP is refused: its price list needs an API key.",
  flags: {
    cloud: "refresh only this cloud (aws or azure); default both",
    "gcp-api-key": "refused: GCP prices are not refreshed (see docs/prices.md)",
    "dry-run": "show what would change without writing the catalog",
    "base-url-aws": "read the AWS price list from this base URL instead",
    "base-url-azure": "read the Azure retail prices from this base URL instead",
    "base-url-gcp": "refused, as --gcp-api-key",
    catalog: "the catalog file to update; default the project's own",
  },
  examples: ["npm run prices -- --dry-run", "npm run prices -- --cloud azure"],
};

/** The catalog the components, policies and cost model read. */
const CATALOG_FILE = path.join(PROJECT_DIR, "policies", "catalog", "instance-types.json");

/**
 * Why GCP prices are not refreshed. The Cloud Billing Catalog prices Vertex AI per vCPU-hour,
 * per GiB-hour and per GPU-hour (training also through management-fee SKUs), not per machine
 * type, and the SKU descriptions a machine type would be composed from are not verified: a
 * composition that matched the wrong SKUs would write a wrong price marked published.
 */
export const GCP_REASON =
  "Vertex AI bills a machine type as separate vCPU, memory and GPU SKUs (training adds " +
  "management-fee SKUs), and the SKU descriptions to compose them from are not verified, so a " +
  "composed price could be wrong without any error";

/** The refusal of any request for GCP prices. */
export const GCP_REFUSAL =
  `prices: GCP prices are not refreshed: ${GCP_REASON}. The gcp rows keep their derived and ` +
  "secondary prices (see docs/prices.md); run with --cloud aws and/or --cloud azure";

/** A base URL flag as scheme, host and optional path, without a trailing slash. */
function baseUrl(value: string | undefined, flag: string, fallback: string): string {
  if (value === undefined) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`prices: --${flag} ${value} is not a URL; use http(s)://host[:port]`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) {
    throw new UsageError(`prices: --${flag} ${value} must be an http(s) URL without query`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function chosenClouds(values: string[] | undefined): RefreshableCloud[] {
  if (values === undefined) {
    return [...REFRESHABLE_CLOUDS];
  }
  const clouds = new Set<RefreshableCloud>();
  for (const value of values) {
    if (value === "gcp") {
      throw new UsageError(GCP_REFUSAL);
    }
    if (!(REFRESHABLE_CLOUDS as readonly string[]).includes(value)) {
      throw new UsageError(
        `prices: --cloud ${value} is not a cloud; use aws or azure (gcp: ${GCP_REASON})`,
      );
    }
    clouds.add(value as RefreshableCloud);
  }
  return [...clouds];
}

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

function change(before: number, after: number): string {
  if (before === after) {
    return "same";
  }
  const percent = ((after - before) / before) * 100;
  return `${percent > 0 ? "+" : ""}${percent.toFixed(1)}%`;
}

/** The report: old and new price of every refreshed row, then the rows left as they were. */
export function report(result: RefreshResult, catalogFile: string, dryRun: boolean): string {
  const lines: string[] = [];
  if (result.refreshed.length > 0) {
    lines.push(
      ...renderTable(
        ["cloud", "use", "instance type", "region", "old USD/h", "was", "new USD/h", "change"],
        result.refreshed.map(({ before, after }) => [
          before.cloud,
          before.use,
          before.instanceType,
          before.region,
          String(before.hourlyUsd),
          `${before.priceStatus}, ${before.priceDate ?? "undated"}`,
          String(after.hourlyUsd),
          change(before.hourlyUsd, after.hourlyUsd as number),
        ]),
      ),
      "",
    );
  }
  if (result.missing.length > 0) {
    lines.push("Not found, left as they were:");
    for (const { row, reason } of result.missing) {
      lines.push(`  ${row.cloud} ${row.use} ${row.instanceType} (${row.region}): ${reason}`);
    }
    lines.push("");
  }
  const counts = `${result.refreshed.length} refreshed, ${result.missing.length} not found`;
  const relative = path.relative(process.cwd(), catalogFile);
  const shown = relative === "" || relative.startsWith("..") ? catalogFile : relative;
  if (dryRun) {
    lines.push(`${counts}; dry run, ${shown} not written`);
  } else if (result.written) {
    lines.push(`${counts}; wrote ${shown}`);
  } else {
    lines.push(`${counts}; nothing to write`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * `npm run prices`: rebuilds the catalog's prices from the clouds' public price lists (AWS Price
 * List bulk files, Azure Retail Prices API). Exit 0 when every list was read, rows not found
 * included; 1 when a list could not be read or was malformed, with nothing written.
 */
export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "prices");
  if (flags["gcp-api-key"] !== undefined || flags["base-url-gcp"] !== undefined) {
    throw new UsageError(GCP_REFUSAL);
  }
  const clouds = chosenClouds(flags.cloud);
  const catalogFile =
    flags.catalog === undefined ? CATALOG_FILE : path.resolve(process.cwd(), flags.catalog);
  const dryRun = flags["dry-run"] === true;
  const baseUrls = {
    aws: baseUrl(flags["base-url-aws"], "base-url-aws", AWS_PRICE_LIST_URL),
    azure: baseUrl(flags["base-url-azure"], "base-url-azure", AZURE_RETAIL_PRICES_URL),
  };
  try {
    const result = await refreshPrices({
      catalogFile,
      clouds,
      baseUrls,
      today: todayIso(),
      dryRun,
      http: { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS },
    });
    process.stdout.write(report(result, catalogFile, dryRun));
    return 0;
  } catch (err) {
    if (err instanceof PriceSourceError) {
      process.stderr.write(`error: prices: ${err.message}; the catalog was not changed\n`);
      return 1;
    }
    throw err;
  }
}
