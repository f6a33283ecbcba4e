import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Handler } from "./server";

/** The column header of an EC2 region offer file in CSV form (line 6 of the real file). */
export const EC2_HEADER = [
  "SKU",
  "OfferTermCode",
  "RateCode",
  "TermType",
  "PriceDescription",
  "EffectiveDate",
  "StartingRange",
  "EndingRange",
  "Unit",
  "PricePerUnit",
  "Currency",
  "RelatedTo",
  "LeaseContractLength",
  "PurchaseOption",
  "OfferingClass",
  "Product Family",
  "serviceCode",
  "Location",
  "Location Type",
  "Instance Type",
  "Current Generation",
  "Instance Family",
  "vCPU",
  "Physical Processor",
  "Clock Speed",
  "Memory",
  "Storage",
  "Network Performance",
  "Processor Architecture",
  "Tenancy",
  "Operating System",
  "License Model",
  "usageType",
  "operation",
  "CapacityStatus",
  "GPU",
  "MarketOption",
  "Pre Installed S/W",
  "Processor Features",
  "Region Code",
  "serviceName",
];

export type Ec2Row = Record<string, string>;

let skuCounter = 0;

/** An on-demand Linux shared-tenancy row of the us-east-1 file; `overrides` change columns. */
export function ec2Row(instanceType: string, price: string, overrides: Ec2Row = {}): Ec2Row {
  skuCounter++;
  const sku = `FIXTURESKU${String(skuCounter).padStart(6, "0")}`;
  return {
    SKU: sku,
    OfferTermCode: "JRTCKXETXF",
    RateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
    TermType: "OnDemand",
    PriceDescription: `$${price} per On Demand Linux ${instanceType} Instance Hour`,
    EffectiveDate: "2026-11-01",
    StartingRange: "0",
    EndingRange: "Inf",
    Unit: "Hrs",
    PricePerUnit: price,
    Currency: "USD",
    "Product Family": "Compute Instance",
    serviceCode: "AmazonEC2",
    Location: "US East (N. Virginia)",
    "Location Type": "AWS Region",
    "Instance Type": instanceType,
    "Current Generation": "Yes",
    "Instance Family": "General purpose",
    "Processor Architecture": "64-bit",
    Tenancy: "Shared",
    "Operating System": "Linux",
    "License Model": "No License required",
    usageType: `BoxUsage:${instanceType}`,
    operation: "RunInstances",
    CapacityStatus: "Used",
    MarketOption: "OnDemand",
    "Pre Installed S/W": "NA",
    "Processor Features": "Intel AVX; Intel AVX2; Intel AVX512",
    "Region Code": "us-east-1",
    serviceName: "Amazon Elastic Compute Cloud",
    ...overrides,
  };
}

function quoted(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** An EC2 offer file in CSV form: five metadata lines, the header, then the rows, all quoted. */
export function ec2Csv(rows: readonly Ec2Row[], offerCode = "AmazonEC2"): string {
  const metadata = [
    ["FormatVersion", "v1.0"],
    ["Disclaimer", "This pricing list is for informational purposes only."],
    ["Publication Date", "2026-11-20T10:00:00Z"],
    ["Version", "20261120100000"],
    ["OfferCode", offerCode],
  ];
  const lines = [
    ...metadata.map((m) => m.map(quoted).join(",")),
    EC2_HEADER.map(quoted).join(","),
    ...rows.map((row) =>
      EC2_HEADER.map((c) => (row[c] === undefined ? "" : quoted(row[c]))).join(","),
    ),
  ];
  return `${lines.join("\n")}\n`;
}

export interface SageMakerProduct {
  instanceName: string;
  component: string;
  price: string;
  usagetype?: string;
}

/** A SageMaker region offer file in the Price List JSON shape. */
export function sageMakerOffer(products: readonly SageMakerProduct[]): unknown {
  const entries = products.map((p, i) => ({ ...p, sku: `SMFIXTURE${String(i).padStart(7, "0")}` }));
  return {
    formatVersion: "v1.0",
    disclaimer: "This pricing list is for informational purposes only.",
    offerCode: "AmazonSageMaker",
    version: "20261120100000",
    publicationDate: "2026-11-20T10:00:00Z",
    products: Object.fromEntries(
      entries.map((p) => [
        p.sku,
        {
          sku: p.sku,
          productFamily: "ML Instance",
          attributes: {
            servicecode: "AmazonSageMaker",
            location: "US East (N. Virginia)",
            regionCode: "us-east-1",
            instanceName: p.instanceName,
            instanceType: `${p.instanceName}-${p.component}`,
            component: p.component,
            usagetype:
              p.usagetype ??
              `USE1-${p.component === "Hosting" ? "Host" : p.component}:${p.instanceName}`,
            operation: "RunInstance",
          },
        },
      ]),
    ),
    terms: {
      OnDemand: Object.fromEntries(
        entries.map((p) => [
          p.sku,
          {
            [`${p.sku}.JRTCKXETXF`]: {
              offerTermCode: "JRTCKXETXF",
              sku: p.sku,
              effectiveDate: "2026-11-01T00:00:00Z",
              priceDimensions: {
                [`${p.sku}.JRTCKXETXF.6YS6EN2CT7`]: {
                  rateCode: `${p.sku}.JRTCKXETXF.6YS6EN2CT7`,
                  description: `$${p.price} per ${p.component} ${p.instanceName} hour`,
                  beginRange: "0",
                  endRange: "Inf",
                  unit: "Hrs",
                  pricePerUnit: { USD: p.price },
                  appliesTo: [],
                },
              },
              termAttributes: {},
            },
          },
        ]),
      ),
      Reserved: {},
    },
  };
}

/** One meter of the Azure Retail Prices API for a VM size in eastus. */
export function azureItem(
  armSkuName: string,
  retailPrice: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const size = armSkuName.replace(/^Standard_/, "").replace(/_/g, " ");
  return {
    currencyCode: "USD",
    tierMinimumUnits: 0,
    retailPrice,
    unitPrice: retailPrice,
    armRegionName: "eastus",
    location: "US East",
    effectiveStartDate: "2026-10-01T00:00:00Z",
    meterId: "00000000-0000-0000-0000-000000000001",
    meterName: size,
    productId: "DZH318Z0BQPS",
    skuId: "DZH318Z0BQPS/00TG",
    productName: "Virtual Machines Dasv4 Series",
    skuName: size,
    serviceName: "Virtual Machines",
    serviceId: "DZH313Z7MMC8",
    serviceFamily: "Compute",
    unitOfMeasure: "1 Hour",
    type: "Consumption",
    isPrimaryMeterRegion: true,
    armSkuName,
    ...overrides,
  };
}

/** A Retail Prices API page. */
export function azurePage(items: readonly unknown[], next: string | null): string {
  return JSON.stringify({
    BillingCurrency: "USD",
    CustomerEntityId: "Default",
    CustomerEntityType: "Retail",
    Items: items,
    NextPageLink: next,
    Count: items.length,
  });
}

/** The `armSkuName` a Retail Prices request filters on. */
export function filteredSku(url: URL): string | undefined {
  return /armSkuName eq '([^']*)'/.exec(url.searchParams.get("$filter") ?? "")?.[1];
}

/**
 * The AWS fixture: every catalog row of us-east-1 but g4dn.xlarge (absent) and ml.p4d.24xlarge
 * (two hosting prices), next to the rows a filter must drop.
 */
export const EC2_ROWS: Ec2Row[] = [
  ec2Row("m5.large", "0.0960000000"),
  ec2Row("m5.large", "0.1880000000", {
    "Operating System": "Windows",
    PriceDescription: "$0.188 per On Demand Windows m5.large Instance Hour",
  }),
  ec2Row("m5.large", "0.0600000000", {
    TermType: "Reserved",
    PriceDescription: "Linux/UNIX (Amazon VPC), m5.large reserved instance applied",
  }),
  ec2Row("m5.large", "0.1010000000", { Tenancy: "Dedicated" }),
  ec2Row("m5.large", "0.2000000000", { "Pre Installed S/W": "SQL Web" }),
  ec2Row("m5.large", "0.0000000000", { CapacityStatus: "UnusedCapacityReservation" }),
  ec2Row("m5.xlarge", "0.2010000000"),
  ec2Row("m5.2xlarge", "0.4020000000"),
  ec2Row("m5.4xlarge", "0.8040000000"),
  ec2Row("m5.4xlarge", "0.8140000000", { "Region Code": "us-east-2" }),
  ec2Row("p4d.24xlarge", "21.9576420000"),
  ec2Row("p4d.24xlarge", "0.0000000000", { MarketOption: "CapacityBlock" }),
  ec2Row("c5.large", "0.0850000000"),
];

export const SAGEMAKER_PRODUCTS: SageMakerProduct[] = [
  { instanceName: "ml.m5.large", component: "Hosting", price: "0.1150000000" },
  { instanceName: "ml.m5.large", component: "Training", price: "0.1150000000" },
  { instanceName: "ml.m5.xlarge", component: "Hosting", price: "0.2300000000" },
  { instanceName: "ml.m5.xlarge", component: "Training", price: "0.2690000000" },
  { instanceName: "ml.m5.xlarge", component: "Notebook", price: "0.2300000000" },
  { instanceName: "ml.m5.2xlarge", component: "Hosting", price: "0.4610000000" },
  {
    instanceName: "ml.m5.2xlarge",
    component: "Hosting",
    price: "0.5000000000",
    usagetype: "USE1-AsyncHost:ml.m5.2xlarge",
  },
  { instanceName: "ml.m5.4xlarge", component: "Hosting", price: "0.9220000000" },
  { instanceName: "ml.g4dn.xlarge", component: "Hosting", price: "0.7360000000" },
  { instanceName: "ml.p4d.24xlarge", component: "Hosting", price: "37.6880000000" },
  { instanceName: "ml.p4d.24xlarge", component: "Hosting", price: "25.2500000000" },
];

/** Azure Linux pay-as-you-go prices of the fixture; Standard_ND96asr_v4 has none. */
export const AZURE_PRICES: Record<string, number> = {
  Standard_D2as_v4: 0.086,
  Standard_D4as_v4: 0.172,
  Standard_D8as_v4: 0.344,
  Standard_D16as_v4: 0.688,
  Standard_NC4as_T4_v3: 0.526,
};

/**
 * The AWS price list: the EC2 CSV and the SageMaker JSON of us-east-1 at their real paths.
 * `ec2` and `sageMaker` replace a file's body.
 */
export function awsHandler(replace: { ec2?: string; sageMaker?: string } = {}): Handler {
  return (url) => {
    if (url.pathname === "/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv") {
      return { body: replace.ec2 ?? ec2Csv(EC2_ROWS) };
    }
    if (url.pathname === "/offers/v1.0/aws/AmazonSageMaker/current/us-east-1/index.json") {
      return { body: replace.sageMaker ?? JSON.stringify(sageMakerOffer(SAGEMAKER_PRODUCTS)) };
    }
    return { status: 404, body: "Not Found" };
  };
}

/**
 * The Retail Prices API: Standard_D2as_v4 spread over two pages behind Windows, Spot and Low
 * Priority meters; every other size on one page next to its Windows meter.
 */
export const azureHandler: Handler = (url, base) => {
  if (url.pathname !== "/api/retail/prices") {
    return { status: 404, body: "Not Found" };
  }
  if (url.searchParams.get("page") === "2") {
    return {
      body: azurePage(
        [
          azureItem("Standard_D2as_v4", 0.012, {
            skuName: "D2as v4 Low Priority",
            meterName: "D2as v4 Low Priority",
          }),
          azureItem("Standard_D2as_v4", AZURE_PRICES.Standard_D2as_v4),
        ],
        null,
      ),
    };
  }
  const sku = filteredSku(url) ?? "";
  const windows = azureItem(sku, 0.5, { productName: "Virtual Machines Dasv4 Series Windows" });
  if (sku === "Standard_D2as_v4") {
    return {
      body: azurePage(
        [windows, azureItem(sku, 0.019, { skuName: "D2as v4 Spot", meterName: "D2as v4 Spot" })],
        `${base}/api/retail/prices?page=2`,
      ),
    };
  }
  const price = AZURE_PRICES[sku];
  return { body: azurePage(price === undefined ? [] : [windows, azureItem(sku, price)], null) };
};

export const REAL_CATALOG = path.resolve(__dirname, "../../policies/catalog/instance-types.json");

/** A copy of the project's catalog in a fresh temporary folder, to refresh without touching it. */
export function temporaryCatalog(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "mlplatform-prices-"));
  const file = path.join(folder, "instance-types.json");
  fs.copyFileSync(REAL_CATALOG, file);
  return file;
}
