import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceType } from "../../policies/catalog";
import { ec2OfferUrl, sageMakerOfferUrl } from "../../engine/prices/aws";
import { retailPricesUrl } from "../../engine/prices/azure";
import { PriceSourceError } from "../../engine/prices/http";
import {
  type RefreshOptions,
  type RefreshableCloud,
  readCatalog,
  refreshPrices,
} from "../../engine/prices/refresh";
import { UsageError } from "../../engine/errors";
import { AZURE_PRICES, awsHandler, azureHandler, temporaryCatalog } from "./fixtures";
import { type FixtureServer, type Handler, serve } from "./server";

const TODAY = "2026-11-22";

function rowKey(r: InstanceType): string {
  return `${r.cloud} ${r.use} ${r.instanceType}`;
}

function byKey(rows: readonly InstanceType[]): Map<string, InstanceType> {
  return new Map(rows.map((r) => [rowKey(r), r]));
}

describe("prices: refreshing the catalog", function () {
  this.timeout(30_000);
  const servers: FixtureServer[] = [];
  let catalog: string;
  let original: string;

  beforeEach(() => {
    catalog = temporaryCatalog();
    original = fs.readFileSync(catalog, "utf8");
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(path.dirname(catalog), { recursive: true, force: true });
  });

  async function options(
    handlers: { aws?: Handler; azure?: Handler },
    extra: Partial<RefreshOptions> = {},
  ): Promise<RefreshOptions> {
    const aws = await serve(handlers.aws ?? awsHandler());
    const azure = await serve(handlers.azure ?? azureHandler);
    servers.push(aws, azure);
    return {
      catalogFile: catalog,
      clouds: ["aws", "azure"] as RefreshableCloud[],
      baseUrls: { aws: aws.base, azure: azure.base },
      today: TODAY,
      dryRun: false,
      http: { idleTimeoutMs: 5_000 },
      ...extra,
    };
  }

  async function failure(opts: RefreshOptions): Promise<PriceSourceError> {
    try {
      await refreshPrices(opts);
    } catch (err) {
      expect(err).to.be.instanceOf(PriceSourceError);
      return err as PriceSourceError;
    }
    throw new Error("expected a PriceSourceError");
  }

  function expectUnchanged(): void {
    expect(fs.readFileSync(catalog, "utf8")).to.equal(original);
    expect(fs.readdirSync(path.dirname(catalog))).to.deep.equal(["instance-types.json"]);
  }

  it("updates price, source, date and status of every row found and nothing else", async () => {
    const opts = await options({});
    const result = await refreshPrices(opts);
    const [aws, azure] = [opts.baseUrls.aws, opts.baseUrls.azure];
    const ec2 = ec2OfferUrl(aws, "us-east-1");
    const sageMaker = sageMakerOfferUrl(aws, "us-east-1");
    const expected: Record<string, [number, string]> = {
      "aws training m5.large": [0.096, ec2],
      "aws training m5.xlarge": [0.201, ec2],
      "aws training m5.2xlarge": [0.402, ec2],
      "aws training m5.4xlarge": [0.804, ec2],
      "aws training p4d.24xlarge": [21.957642, ec2],
      "aws hosting ml.m5.large": [0.115, sageMaker],
      "aws hosting ml.m5.xlarge": [0.23, sageMaker],
      "aws hosting ml.m5.2xlarge": [0.461, sageMaker],
      "aws hosting ml.m5.4xlarge": [0.922, sageMaker],
      "aws hosting ml.g4dn.xlarge": [0.736, sageMaker],
    };
    for (const [sku, price] of Object.entries(AZURE_PRICES)) {
      for (const use of ["training", "hosting"]) {
        expected[`azure ${use} ${sku}`] = [price, retailPricesUrl(azure, "eastus", sku)];
      }
    }
    expect(result.written).to.equal(true);
    expect(result.refreshed.map((r) => rowKey(r.after))).to.have.members(Object.keys(expected));
    expect(result.missing.map((m) => `${rowKey(m.row)}: ${m.reason}`)).to.deep.equal([
      "aws training g4dn.xlarge: the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for g4dn.xlarge",
      "aws hosting ml.c5.large: the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.c5.large",
      "aws hosting ml.p4d.24xlarge: 2 different prices match (25.25, 37.688 USD/h); the filter does not single one out",
      "aws training g6.xlarge: the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for g6.xlarge",
      "aws hosting ml.g6.xlarge: the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.g6.xlarge",
      "aws training p5.48xlarge: the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for p5.48xlarge",
      "aws hosting ml.p5.48xlarge: the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.p5.48xlarge",
      "azure training Standard_ND96asr_v4: the Retail Prices API lists no Linux pay-as-you-go price for Standard_ND96asr_v4 in eastus",
      "azure hosting Standard_ND96asr_v4: the Retail Prices API lists no Linux pay-as-you-go price for Standard_ND96asr_v4 in eastus",
      "azure training Standard_ND96isr_H100_v5: the Retail Prices API lists no Linux pay-as-you-go price for Standard_ND96isr_H100_v5 in eastus",
      "azure hosting Standard_ND96isr_H100_v5: the Retail Prices API lists no Linux pay-as-you-go price for Standard_ND96isr_H100_v5 in eastus",
      "azure training Standard_NC24ads_A100_v4: the Retail Prices API lists no Linux pay-as-you-go price for Standard_NC24ads_A100_v4 in eastus",
      "azure hosting Standard_NC24ads_A100_v4: the Retail Prices API lists no Linux pay-as-you-go price for Standard_NC24ads_A100_v4 in eastus",
    ]);

    const text = fs.readFileSync(catalog, "utf8");
    const before = JSON.parse(original) as InstanceType[];
    const after = JSON.parse(text) as InstanceType[];
    expect(text).to.equal(`${JSON.stringify(after, null, 2)}\n`);
    expect(after.map(rowKey)).to.deep.equal(before.map(rowKey));
    after.forEach((row, i) => {
      const old = before[i];
      expect(Object.keys(row), rowKey(row)).to.deep.equal(Object.keys(old));
      const price = expected[rowKey(row)];
      if (price === undefined) {
        expect(row, rowKey(row)).to.deep.equal(old);
      } else {
        expect(row, rowKey(row)).to.deep.equal({
          ...old,
          hourlyUsd: price[0],
          source: price[1],
          priceDate: TODAY,
          priceStatus: "published",
        });
      }
    });
  });

  it("reports what it would change and writes nothing in a dry run", async () => {
    const result = await refreshPrices(await options({}, { dryRun: true }));
    expect(result.written).to.equal(false);
    expect(result.refreshed).to.have.length(20);
    expect(result.missing).to.have.length(13);
    expectUnchanged();
  });

  it("refreshes only the clouds asked for", async () => {
    const opts = await options({}, { clouds: ["azure"] });
    const result = await refreshPrices(opts);
    expect(new Set(result.refreshed.map((r) => r.after.cloud))).to.deep.equal(new Set(["azure"]));
    const before = byKey(JSON.parse(original) as InstanceType[]);
    const after = readCatalog(catalog);
    for (const row of after.filter((r) => r.cloud !== "azure")) {
      expect(row).to.deep.equal(before.get(rowKey(row)));
    }
    expect(servers[0].requests).to.have.length(0);
  });

  it("fails naming the URL and writes nothing when one list has a server error after another was read", async () => {
    const opts = await options({ azure: () => ({ status: 500, body: "boom" }) });
    const error = await failure(opts);
    expect(error.message).to.equal(
      `${retailPricesUrl(opts.baseUrls.azure, "eastus", "Standard_D2as_v4")}: HTTP 500 Internal Server Error`,
    );
    expect(servers[0].requests).to.have.length(2);
    expectUnchanged();
  });

  it("fails on a malformed SageMaker offer file and writes nothing", async () => {
    const opts = await options({
      aws: awsHandler({ sageMaker: JSON.stringify({ products: [] }) }),
    });
    const error = await failure(opts);
    expect(error.message).to.equal(
      `${sageMakerOfferUrl(opts.baseUrls.aws, "us-east-1")}: not an offer file: no products and terms objects`,
    );
    expectUnchanged();
  });

  it("fails when a server stops answering, and when the connection drops mid-file", async () => {
    const silent = await options({ aws: () => "hang" }, { http: { idleTimeoutMs: 200 } });
    const stalled = await failure(silent);
    expect(stalled.message).to.equal(
      `${ec2OfferUrl(silent.baseUrls.aws, "us-east-1")}: no data for 0.2 s`,
    );
    const cut = await failure(await options({ aws: () => "cut" }));
    expect(cut.message).to.match(
      /\/AmazonEC2\/current\/us-east-1\/index\.csv: connection failed while reading: /,
    );
    expectUnchanged();
  });

  it("fails naming the URL when nothing listens there", async () => {
    const opts = await options({});
    await servers[0].close();
    const error = await failure(opts);
    expect(error.message).to.match(
      /^http:\/\/127\.0\.0\.1:\d+\/offers\/v1\.0\/aws\/AmazonEC2\/current\/us-east-1\/index\.csv: request failed: connect ECONNREFUSED/,
    );
    expectUnchanged();
  });

  it("refuses a catalog file that is not a list of instance types", async () => {
    fs.writeFileSync(catalog, '{"rows": []}\n');
    const opts = await options({});
    let error: unknown;
    try {
      await refreshPrices(opts);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.equal(
      `prices: the catalog ${catalog} is not a JSON array of instance types`,
    );
  });
});
