import { expect } from "chai";
import { INSTANCE_TYPES } from "../../policies/catalog";
import { azurePrices, retailPricesUrl } from "../../engine/prices/azure";
import { PriceSourceError } from "../../engine/prices/http";
import type { PricedRow } from "../../engine/prices/lookup";
import { isPricedRow } from "../../engine/prices/refresh";
import { AZURE_PRICES, azureHandler, azureItem, azurePage, filteredSku } from "./fixtures";
import { type FixtureServer, type Handler, serve } from "./server";

const HTTP = { idleTimeoutMs: 5_000 };

const AZURE_ROWS = INSTANCE_TYPES.filter(
  (r): r is PricedRow => r.cloud === "azure" && isPricedRow(r),
);

function row(instanceType: string): PricedRow {
  const found = AZURE_ROWS.find((r) => r.instanceType === instanceType);
  if (found === undefined) {
    throw new Error(`no priced azure row ${instanceType}`);
  }
  return found;
}

describe("prices: Azure Retail Prices API", function () {
  this.timeout(20_000);
  let server: FixtureServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function lookUp(handler: Handler, rows: readonly PricedRow[]) {
    await server?.close();
    server = await serve(handler);
    return azurePrices(rows, { baseUrl: server.base, http: HTTP });
  }

  async function failure(handler: Handler, rows: readonly PricedRow[]) {
    try {
      await lookUp(handler, rows);
    } catch (err) {
      expect(err).to.be.instanceOf(PriceSourceError);
      return err as PriceSourceError;
    }
    throw new Error("expected a PriceSourceError");
  }

  it("asks for one size's pay-as-you-go VM meters in one region, with the documented filter", () => {
    const url = new URL(retailPricesUrl("https://prices.azure.com", "eastus", "Standard_D4as_v4"));
    expect(url.origin + url.pathname).to.equal("https://prices.azure.com/api/retail/prices");
    expect(url.searchParams.get("api-version")).to.equal("2023-01-01-preview");
    expect(url.searchParams.get("$filter")).to.equal(
      "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and armSkuName eq 'Standard_D4as_v4' and priceType eq 'Consumption'",
    );
    expect(url.searchParams.get("meterRegion")).to.equal("'primary'");
    expect(url.search).to.not.include(" ");
  });

  it("follows NextPageLink and keeps the Linux meter, dropping Windows, Spot and Low Priority", async () => {
    const [lookup] = await lookUp(azureHandler, [row("Standard_D2as_v4")]);
    const first = retailPricesUrl(server?.base ?? "", "eastus", "Standard_D2as_v4");
    expect(lookup).to.deep.equal({ hourlyUsd: AZURE_PRICES.Standard_D2as_v4, source: first });
    expect(server?.requests.map((u) => u.href)).to.deep.equal([
      first,
      `${server?.base}/api/retail/prices?page=2`,
    ]);
  });

  it("answers the training and hosting rows of a size from one query", async () => {
    const rows = AZURE_ROWS.filter((r) => r.instanceType === "Standard_D4as_v4");
    expect(rows.map((r) => r.use)).to.have.members(["training", "hosting"]);
    const lookups = await lookUp(azureHandler, rows);
    expect(lookups.map((l) => ("hourlyUsd" in l ? l.hourlyUsd : l.missing))).to.deep.equal([
      0.172, 0.172,
    ]);
    expect(server?.requests.map(filteredSku)).to.deep.equal(["Standard_D4as_v4"]);
  });

  it("reports a size the API lists no Linux pay-as-you-go price for", async () => {
    const [lookup] = await lookUp(azureHandler, [row("Standard_ND96asr_v4")]);
    expect(lookup).to.deep.equal({
      missing:
        "the Retail Prices API lists no Linux pay-as-you-go price for Standard_ND96asr_v4 in eastus",
    });
  });

  it("reports two different Linux prices for a size instead of picking one", async () => {
    const [lookup] = await lookUp(
      () => ({
        body: azurePage(
          [azureItem("Standard_D8as_v4", 0.344), azureItem("Standard_D8as_v4", 0.384)],
          null,
        ),
      }),
      [row("Standard_D8as_v4")],
    );
    expect(lookup).to.deep.equal({
      missing: "2 different prices match (0.344, 0.384 USD/h); the filter does not single one out",
    });
  });

  it("fails with the page's URL on a body that is not JSON", async () => {
    const error = await failure(
      () => ({ body: "<html>Service Unavailable</html>" }),
      [row("Standard_D4as_v4")],
    );
    expect(error.url).to.equal(retailPricesUrl(server?.base ?? "", "eastus", "Standard_D4as_v4"));
    expect(error.message).to.match(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/retail\/prices\?.*: the response is not JSON \(.+\)$/,
    );
  });

  it("fails with the URL of the second page when that page is not in the documented shape", async () => {
    const error = await failure(
      (url, base) => {
        if (url.searchParams.get("page") === "2") {
          return { body: JSON.stringify({ Items: [{ armSkuName: "Standard_D4as_v4" }] }) };
        }
        return { body: azurePage([], `${base}/api/retail/prices?page=2`) };
      },
      [row("Standard_D4as_v4")],
    );
    expect(error.message).to.equal(
      `${server?.base}/api/retail/prices?page=2: Items[0] has no numeric retailPrice`,
    );
    const missingFields = await failure(
      () => ({ body: azurePage([{ retailPrice: 1 }], null) }),
      [row("Standard_D4as_v4")],
    );
    expect(missingFields.message).to.match(
      /: Items\[0\] has no currencyCode, unitOfMeasure, type,/,
    );
  });

  it("fails on a server error and on paging that never ends", async () => {
    const serverError = await failure(
      () => ({ status: 503, body: "busy" }),
      [row("Standard_D4as_v4")],
    );
    expect(serverError.message).to.equal(`${serverError.url}: HTTP 503 Service Unavailable`);
    const loop = await failure(
      (url) => ({ body: azurePage([], url.href) }),
      [row("Standard_D4as_v4")],
    );
    expect(loop.message).to.equal(`${loop.url}: still paging after 20 pages`);
    expect(server?.requests).to.have.length(20);
  });
});
