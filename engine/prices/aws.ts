import { isRecord } from "../../policies/lib/values";
import { csvRecords, parseCsvRecord } from "./csv";
import { type HttpOptions, PriceSourceError, getJson, getLines } from "./http";
import { type PriceLookup, type PricedRow, type SourceOptions, onePrice } from "./lookup";

/** The AWS Price List bulk API: public offer files, no account and no request signing. */
export const AWS_PRICE_LIST_URL = "https://pricing.us-east-1.amazonaws.com";

/** The EC2 offer file of one region, in its CSV form so it can be read line by line. */
export function ec2OfferUrl(baseUrl: string, region: string): string {
  return `${baseUrl}/offers/v1.0/aws/AmazonEC2/current/${encodeURIComponent(region)}/index.csv`;
}

/** The SageMaker offer file of one region. */
export function sageMakerOfferUrl(baseUrl: string, region: string): string {
  return `${baseUrl}/offers/v1.0/aws/AmazonSageMaker/current/${encodeURIComponent(region)}/index.json`;
}

/**
 * The columns an on-demand Linux EC2 rate has, and their values. `MarketOption` keeps out the
 * $0 capacity-block row the list carries for some GPU types; `TermType` keeps out reservations.
 */
const EC2_ON_DEMAND_LINUX: Readonly<Record<string, string>> = {
  TermType: "OnDemand",
  "Product Family": "Compute Instance",
  "Operating System": "Linux",
  Tenancy: "Shared",
  CapacityStatus: "Used",
  "Pre Installed S/W": "NA",
  "License Model": "No License required",
  MarketOption: "OnDemand",
  Unit: "Hrs",
  Currency: "USD",
};

const EC2_COLUMNS = [
  "Instance Type",
  "Region Code",
  "PricePerUnit",
  ...Object.keys(EC2_ON_DEMAND_LINUX),
];

function groupByRegion(rows: readonly PricedRow[]): Map<string, Set<string>> {
  const regions = new Map<string, Set<string>>();
  for (const row of rows) {
    const types = regions.get(row.region) ?? new Set<string>();
    types.add(row.instanceType);
    regions.set(row.region, types);
  }
  return regions;
}

/**
 * Every on-demand Linux price the region's EC2 offer file gives for `instanceTypes`. The file is
 * streamed; only records that mention a wanted type are split into fields.
 */
export async function ec2Prices(
  url: string,
  region: string,
  instanceTypes: ReadonlySet<string>,
  http: HttpOptions,
): Promise<Map<string, number[]>> {
  const prices = new Map<string, number[]>([...instanceTypes].map((t) => [t, []]));
  const malformed = (line: number, problem: string) =>
    new PriceSourceError(url, `line ${line}: ${problem}`);
  const wanted = [...instanceTypes];
  let header: Map<string, number> | undefined;
  let width = 0;
  try {
    for await (const record of csvRecords(getLines(url, http))) {
      if (header === undefined) {
        const fields = parseCsvRecord(record.text);
        if (fields[0] === "OfferCode" && fields[1] !== "AmazonEC2") {
          throw malformed(record.line, `offer code ${fields[1]}, expected AmazonEC2`);
        }
        if (fields[0] === "SKU") {
          const columns = new Map(fields.map((name, i) => [name, i]));
          const absent = EC2_COLUMNS.filter((c) => !columns.has(c));
          if (absent.length > 0) {
            throw malformed(record.line, `the header has no column ${absent.join(", ")}`);
          }
          header = columns;
          width = fields.length;
        }
        continue;
      }
      if (!wanted.some((t) => record.text.includes(t))) {
        continue;
      }
      const fields = parseCsvRecord(record.text);
      if (fields.length !== width) {
        throw malformed(record.line, `${fields.length} fields, the header has ${width}`);
      }
      const columns = header;
      const column = (name: string) => fields[columns.get(name) as number];
      const type = column("Instance Type");
      const list = prices.get(type);
      if (
        list === undefined ||
        column("Region Code") !== region ||
        Object.entries(EC2_ON_DEMAND_LINUX).some(([name, value]) => column(name) !== value)
      ) {
        continue;
      }
      const price = Number(column("PricePerUnit"));
      if (column("PricePerUnit") === "" || !Number.isFinite(price)) {
        throw malformed(record.line, `PricePerUnit "${column("PricePerUnit")}" is not a number`);
      }
      list.push(price);
    }
  } catch (err) {
    if (err instanceof PriceSourceError) {
      throw err;
    }
    throw new PriceSourceError(url, `not a price list CSV: ${(err as Error).message}`);
  }
  if (header === undefined) {
    throw new PriceSourceError(url, "no header row (a row that starts with SKU)");
  }
  return prices;
}

/**
 * Every on-demand price the region's SageMaker offer file gives for real-time hosting on
 * `instanceNames`: products of family "ML Instance", component "Hosting" and usage type
 * `Host:<instance>` after the region prefix (`USE1-Host:ml.m5.xlarge`), priced per hour. Any
 * other usage type of the component is another way of billing the instance, not this rate.
 */
export function sageMakerHostingPrices(
  url: string,
  offer: unknown,
  region: string,
  instanceNames: ReadonlySet<string>,
): Map<string, number[]> {
  const malformed = (problem: string) => new PriceSourceError(url, problem);
  if (!isRecord(offer) || !isRecord(offer.products) || !isRecord(offer.terms)) {
    throw malformed("not an offer file: no products and terms objects");
  }
  const onDemand = offer.terms.OnDemand;
  if (!isRecord(onDemand)) {
    throw malformed("not an offer file: no terms.OnDemand object");
  }
  const prices = new Map<string, number[]>([...instanceNames].map((n) => [n, []]));
  for (const [sku, product] of Object.entries(offer.products)) {
    if (!isRecord(product) || !isRecord(product.attributes)) {
      throw malformed(`product ${sku} has no attributes`);
    }
    const attributes = product.attributes;
    const name = attributes.instanceName;
    const list = typeof name === "string" ? prices.get(name) : undefined;
    if (
      list === undefined ||
      product.productFamily !== "ML Instance" ||
      attributes.component !== "Hosting" ||
      (attributes.regionCode !== undefined && attributes.regionCode !== region) ||
      (attributes.usagetype !== `Host:${name}` &&
        !(
          typeof attributes.usagetype === "string" && attributes.usagetype.endsWith(`-Host:${name}`)
        ))
    ) {
      continue;
    }
    const terms = onDemand[sku];
    if (terms === undefined) {
      continue;
    }
    if (!isRecord(terms)) {
      throw malformed(`terms.OnDemand.${sku} is not an object`);
    }
    for (const [code, term] of Object.entries(terms)) {
      if (!isRecord(term) || !isRecord(term.priceDimensions)) {
        throw malformed(`terms.OnDemand.${sku}.${code} has no priceDimensions`);
      }
      for (const [rate, dimension] of Object.entries(term.priceDimensions)) {
        if (!isRecord(dimension) || !isRecord(dimension.pricePerUnit)) {
          throw malformed(`price dimension ${rate} has no pricePerUnit`);
        }
        if (dimension.unit !== "Hrs") {
          continue;
        }
        const usd = dimension.pricePerUnit.USD;
        const price = typeof usd === "string" && usd !== "" ? Number(usd) : NaN;
        if (!Number.isFinite(price)) {
          throw malformed(
            `price dimension ${rate}: pricePerUnit.USD ${JSON.stringify(usd)} is not a number`,
          );
        }
        list.push(price);
      }
    }
  }
  return prices;
}

/**
 * AWS prices: training rows (AWS Batch runs EC2) from the region's EC2 offer file, hosting rows
 * (SageMaker real-time endpoints) from its SageMaker offer file. One download per file.
 */
export async function awsPrices(
  rows: readonly PricedRow[],
  options: SourceOptions,
): Promise<PriceLookup[]> {
  const answers = new Map<string, PriceLookup>();
  const key = (row: PricedRow) => `${row.use} ${row.region} ${row.instanceType}`;
  const training = rows.filter((r) => r.use === "training");
  for (const [region, types] of groupByRegion(training)) {
    const url = ec2OfferUrl(options.baseUrl, region);
    const prices = await ec2Prices(url, region, types, options.http);
    for (const [type, list] of prices) {
      answers.set(
        `training ${region} ${type}`,
        onePrice(
          list,
          url,
          `the ${region} EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for ${type}`,
        ),
      );
    }
  }
  const hosting = rows.filter((r) => r.use === "hosting");
  for (const [region, names] of groupByRegion(hosting)) {
    const url = sageMakerOfferUrl(options.baseUrl, region);
    const prices = sageMakerHostingPrices(url, await getJson(url, options.http), region, names);
    for (const [name, list] of prices) {
      answers.set(
        `hosting ${region} ${name}`,
        onePrice(
          list,
          url,
          `the ${region} SageMaker offer file has no on-demand real-time hosting price for ${name}`,
        ),
      );
    }
  }
  return rows.map((row) => answers.get(key(row)) as PriceLookup);
}
