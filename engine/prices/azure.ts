import { isRecord } from "../../policies/lib/values";
import { PriceSourceError, getJson } from "./http";
import { type PriceLookup, type PricedRow, type SourceOptions, onePrice } from "./lookup";

/** The Azure Retail Prices API: unauthenticated, OData `$filter`, paged by `NextPageLink`. */
export const AZURE_RETAIL_PRICES_URL = "https://prices.azure.com";

/** The version whose filter values are case-sensitive, so `armSkuName` matches exactly. */
const AZURE_API_VERSION = "2023-01-01-preview";

/** More pages than one VM size's pay-as-you-go meters ever fill: a loop, not a listing. */
const MAX_PAGES = 20;

/** An OData string literal: single quotes doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The first page of the pay-as-you-go meters of one VM size in one region, primary meters only. */
export function retailPricesUrl(baseUrl: string, region: string, armSkuName: string): string {
  const filter = [
    `serviceName eq ${literal("Virtual Machines")}`,
    `armRegionName eq ${literal(region)}`,
    `armSkuName eq ${literal(armSkuName)}`,
    `priceType eq ${literal("Consumption")}`,
  ].join(" and ");
  // Quotes encoded too, so the URL recorded as a row's source is the one the request sends.
  const encode = (value: string) => encodeURIComponent(value).replace(/'/g, "%27");
  return (
    `${baseUrl}/api/retail/prices?api-version=${AZURE_API_VERSION}` +
    `&$filter=${encode(filter)}&meterRegion=${encode("'primary'")}`
  );
}

interface RetailItem {
  retailPrice: number;
  currencyCode: string;
  unitOfMeasure: string;
  type: string;
  serviceName: string;
  armRegionName: string;
  armSkuName: string;
  productName: string;
  skuName: string;
  meterName: string;
}

const STRING_FIELDS = [
  "currencyCode",
  "unitOfMeasure",
  "type",
  "serviceName",
  "armRegionName",
  "armSkuName",
  "productName",
  "skuName",
  "meterName",
] as const;

/** The items and next link of one page, checked against the documented shape. */
function parseRetailPage(url: string, page: unknown): { items: RetailItem[]; next: string | null } {
  if (!isRecord(page) || !Array.isArray(page.Items)) {
    throw new PriceSourceError(url, "not a Retail Prices page: no Items array");
  }
  const next = page.NextPageLink ?? null;
  if (next !== null && typeof next !== "string") {
    throw new PriceSourceError(url, "NextPageLink is neither a URL nor null");
  }
  const items = page.Items.map((item: unknown, i) => {
    if (!isRecord(item) || typeof item.retailPrice !== "number") {
      throw new PriceSourceError(url, `Items[${i}] has no numeric retailPrice`);
    }
    const absent = STRING_FIELDS.filter((f) => typeof item[f] !== "string");
    if (absent.length > 0) {
      throw new PriceSourceError(url, `Items[${i}] has no ${absent.join(", ")}`);
    }
    return item as unknown as RetailItem;
  });
  return { items, next: next === "" ? null : next };
}

/**
 * Whether a meter is the Linux pay-as-you-go rate of the size: Windows meters are products
 * named "... Windows", and Spot and Low Priority meters say so in their names.
 */
function isLinuxPayAsYouGo(item: RetailItem, region: string, armSkuName: string): boolean {
  return (
    item.type === "Consumption" &&
    item.serviceName === "Virtual Machines" &&
    item.armRegionName === region &&
    item.armSkuName === armSkuName &&
    item.currencyCode === "USD" &&
    item.unitOfMeasure === "1 Hour" &&
    !item.productName.endsWith(" Windows") &&
    ![item.skuName, item.meterName].some((n) => n.includes("Spot") || n.includes("Low Priority"))
  );
}

/** Every Linux pay-as-you-go price of one VM size in one region, following every page. */
async function vmSizePrices(
  url: string,
  region: string,
  armSkuName: string,
  options: SourceOptions,
): Promise<number[]> {
  const prices: number[] = [];
  let pageUrl: string | null = url;
  for (let page = 1; pageUrl !== null; page++) {
    if (page > MAX_PAGES) {
      throw new PriceSourceError(url, `still paging after ${MAX_PAGES} pages`);
    }
    const { items, next } = parseRetailPage(pageUrl, await getJson(pageUrl, options.http));
    prices.push(
      ...items.filter((i) => isLinuxPayAsYouGo(i, region, armSkuName)).map((i) => i.retailPrice),
    );
    pageUrl = next;
  }
  return prices;
}

/**
 * Azure prices: Azure ML compute clusters and managed online endpoints bill the VM's rate, so
 * training and hosting rows of a size share one query.
 */
export async function azurePrices(
  rows: readonly PricedRow[],
  options: SourceOptions,
): Promise<PriceLookup[]> {
  const answers = new Map<string, PriceLookup>();
  const key = (row: PricedRow) => `${row.region} ${row.instanceType}`;
  for (const row of rows) {
    if (answers.has(key(row))) {
      continue;
    }
    const url = retailPricesUrl(options.baseUrl, row.region, row.instanceType);
    const prices = await vmSizePrices(url, row.region, row.instanceType, options);
    answers.set(
      key(row),
      onePrice(
        prices,
        url,
        `the Retail Prices API lists no Linux pay-as-you-go price for ${row.instanceType} in ${row.region}`,
      ),
    );
  }
  return rows.map((row) => answers.get(key(row)) as PriceLookup);
}
