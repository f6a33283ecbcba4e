import { expect } from "chai";
import { INSTANCE_TYPES } from "../../policies/catalog";
import {
  awsPrices,
  ec2OfferUrl,
  ec2Prices,
  sageMakerHostingPrices,
  sageMakerOfferUrl,
} from "../../engine/prices/aws";
import { PriceSourceError } from "../../engine/prices/http";
import type { PricedRow } from "../../engine/prices/lookup";
import { isPricedRow } from "../../engine/prices/refresh";
import {
  EC2_HEADER,
  EC2_ROWS,
  SAGEMAKER_PRODUCTS,
  awsHandler,
  ec2Csv,
  ec2Row,
  sageMakerOffer,
} from "./fixtures";
import { type FixtureServer, serve } from "./server";

const HTTP = { http: { idleTimeoutMs: 5_000 } };
const EC2_PATH = "/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv";
const SAGEMAKER_PATH = "/offers/v1.0/aws/AmazonSageMaker/current/us-east-1/index.json";

const AWS_ROWS = INSTANCE_TYPES.filter((r): r is PricedRow => r.cloud === "aws" && isPricedRow(r));

async function rejection(promise: Promise<unknown>): Promise<PriceSourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(PriceSourceError);
    return err as PriceSourceError;
  }
  throw new Error("expected a PriceSourceError");
}

describe("prices: AWS Price List", function () {
  this.timeout(20_000);
  let server: FixtureServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function ec2(body: string, types: string[]) {
    await server?.close();
    server = await serve(() => ({ body }));
    const url = `${server.base}${EC2_PATH}`;
    return { url, prices: await ec2Prices(url, "us-east-1", new Set(types), HTTP.http) };
  }

  it("names the documented offer files of a region", () => {
    expect(ec2OfferUrl("https://pricing.us-east-1.amazonaws.com", "us-east-1")).to.equal(
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.csv",
    );
    expect(sageMakerOfferUrl("https://pricing.us-east-1.amazonaws.com", "eu-west-1")).to.equal(
      "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonSageMaker/current/eu-west-1/index.json",
    );
  });

  it("keeps only on-demand Linux shared-tenancy rows of the region from the EC2 file", async () => {
    const { prices } = await ec2(ec2Csv(EC2_ROWS), [
      "m5.large",
      "m5.4xlarge",
      "p4d.24xlarge",
      "g4dn.xlarge",
    ]);
    expect(Object.fromEntries(prices)).to.deep.equal({
      "m5.large": [0.096],
      "m5.4xlarge": [0.804],
      "p4d.24xlarge": [21.957642],
      "g4dn.xlarge": [],
    });
  });

  it("reads a file with CRLF line ends and a quoted field that spans lines", async () => {
    const row = ec2Row("m5.xlarge", "0.2010000000", { PriceDescription: "two\r\nlines, quoted" });
    const { prices } = await ec2(ec2Csv([row]).replace(/\n/g, "\r\n"), ["m5.xlarge"]);
    expect(prices.get("m5.xlarge")).to.deep.equal([0.201]);
  });

  it("refuses a file of another offer", async () => {
    const error = await rejection(ec2(ec2Csv(EC2_ROWS, "AmazonSageMaker"), ["m5.large"]));
    expect(error.message).to.equal(
      `${error.url}: line 5: offer code AmazonSageMaker, expected AmazonEC2`,
    );
    expect(error.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/offers\/v1\.0\/aws\/AmazonEC2\//);
  });

  it("refuses a file with no header row or without a column the filter reads", async () => {
    const none = await rejection(ec2("<html>Access Denied</html>\n", ["m5.large"]));
    expect(none.message).to.equal(`${none.url}: no header row (a row that starts with SKU)`);
    const partial = ec2Csv(EC2_ROWS).replace('"MarketOption",', "");
    const noColumn = await rejection(ec2(partial, ["m5.large"]));
    expect(noColumn.message).to.equal(
      `${noColumn.url}: line 6: the header has no column MarketOption`,
    );
  });

  it("refuses a matching row whose fields do not line up with the header or whose price is not a number", async () => {
    const short = `${ec2Csv([]).trimEnd()}\n"X","m5.large"\n`;
    const misaligned = await rejection(ec2(short, ["m5.large"]));
    expect(misaligned.message).to.equal(
      `${misaligned.url}: line 7: 2 fields, the header has ${EC2_HEADER.length}`,
    );
    const bad = await rejection(ec2(ec2Csv([ec2Row("m5.large", "n/a")]), ["m5.large"]));
    expect(bad.message).to.equal(`${bad.url}: line 7: PricePerUnit "n/a" is not a number`);
  });

  it("takes SageMaker real-time hosting prices only, not training, notebooks or other usage types", () => {
    const prices = sageMakerHostingPrices(
      "http://fixture",
      sageMakerOffer(SAGEMAKER_PRODUCTS),
      "us-east-1",
      new Set(["ml.m5.xlarge", "ml.m5.2xlarge", "ml.p4d.24xlarge", "ml.c5.large"]),
    );
    expect(Object.fromEntries(prices)).to.deep.equal({
      "ml.m5.xlarge": [0.23],
      "ml.m5.2xlarge": [0.461],
      "ml.p4d.24xlarge": [37.688, 25.25],
      "ml.c5.large": [],
    });
  });

  it("refuses a SageMaker answer that is not an offer file or whose price is not a number", () => {
    expect(() =>
      sageMakerHostingPrices("http://fixture/x", { products: {} }, "us-east-1", new Set()),
    ).to.throw(
      PriceSourceError,
      "http://fixture/x: not an offer file: no products and terms objects",
    );
    const offer = sageMakerOffer([
      { instanceName: "ml.m5.large", component: "Hosting", price: "" },
    ]);
    expect(() =>
      sageMakerHostingPrices("http://fixture/x", offer, "us-east-1", new Set(["ml.m5.large"])),
    ).to.throw(PriceSourceError, 'pricePerUnit.USD "" is not a number');
  });

  it("answers each row from its service's file, reading each file once", async () => {
    server = await serve(awsHandler());
    const lookups = await awsPrices(AWS_ROWS, { baseUrl: server.base, ...HTTP });
    const ec2Url = `${server.base}${EC2_PATH}`;
    const sageMakerUrl = `${server.base}${SAGEMAKER_PATH}`;
    const byRow = Object.fromEntries(
      AWS_ROWS.map((r, i) => [`${r.use} ${r.instanceType}`, lookups[i]]),
    );
    expect(byRow).to.deep.equal({
      "training m5.large": { hourlyUsd: 0.096, source: ec2Url },
      "training m5.xlarge": { hourlyUsd: 0.201, source: ec2Url },
      "training m5.2xlarge": { hourlyUsd: 0.402, source: ec2Url },
      "training m5.4xlarge": { hourlyUsd: 0.804, source: ec2Url },
      "training g4dn.xlarge": {
        missing:
          "the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for g4dn.xlarge",
      },
      "training p4d.24xlarge": { hourlyUsd: 21.957642, source: ec2Url },
      "training g6.xlarge": {
        missing:
          "the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for g6.xlarge",
      },
      "hosting ml.g6.xlarge": {
        missing:
          "the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.g6.xlarge",
      },
      "training p5.48xlarge": {
        missing:
          "the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for p5.48xlarge",
      },
      "hosting ml.p5.48xlarge": {
        missing:
          "the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.p5.48xlarge",
      },
      "hosting ml.c5.large": {
        missing:
          "the us-east-1 SageMaker offer file has no on-demand real-time hosting price for ml.c5.large",
      },
      "hosting ml.m5.large": { hourlyUsd: 0.115, source: sageMakerUrl },
      "hosting ml.m5.xlarge": { hourlyUsd: 0.23, source: sageMakerUrl },
      "hosting ml.m5.2xlarge": { hourlyUsd: 0.461, source: sageMakerUrl },
      "hosting ml.m5.4xlarge": { hourlyUsd: 0.922, source: sageMakerUrl },
      "hosting ml.g4dn.xlarge": { hourlyUsd: 0.736, source: sageMakerUrl },
      "hosting ml.p4d.24xlarge": {
        missing:
          "2 different prices match (25.25, 37.688 USD/h); the filter does not single one out",
      },
    });
    expect(server.requests.map((u) => u.pathname)).to.deep.equal([EC2_PATH, SAGEMAKER_PATH]);
  });
});
