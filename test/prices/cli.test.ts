import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceType } from "../../policies/catalog";
import { GCP_REASON, GCP_REFUSAL } from "../../engine/commands/prices";
import { ec2OfferUrl } from "../../engine/prices/aws";
import { type CliResult, PROJECT_DIR } from "../cli";
import { REAL_CATALOG, awsHandler, azureHandler, temporaryCatalog } from "./fixtures";
import { type FixtureServer, serve } from "./server";

/**
 * Runs the command line in its own process without blocking this one, so the fixture servers
 * in this process can answer it.
 */
function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--require", "./loader/register.js", "engine/cli.ts", ...args],
      {
        cwd: PROJECT_DIR,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function isoDate(): string {
  return new Date().toISOString().slice(0, 10);
}

describe("prices: npm run prices", function () {
  this.timeout(120_000);
  let aws: FixtureServer;
  let azure: FixtureServer;
  let catalog: string;
  let original: string;
  let realCatalog: string;

  before(async () => {
    aws = await serve(awsHandler());
    azure = await serve(azureHandler);
    realCatalog = fs.readFileSync(REAL_CATALOG, "utf8");
  });

  after(async () => {
    await aws.close();
    await azure.close();
  });

  beforeEach(() => {
    catalog = temporaryCatalog();
    original = fs.readFileSync(catalog, "utf8");
  });

  afterEach(() => {
    fs.rmSync(path.dirname(catalog), { recursive: true, force: true });
    expect(fs.readFileSync(REAL_CATALOG, "utf8"), "the project's catalog").to.equal(realCatalog);
  });

  function prices(...extra: string[]): Promise<CliResult> {
    return runCli([
      "prices",
      "--catalog",
      catalog,
      "--base-url-aws",
      aws.base,
      "--base-url-azure",
      `${azure.base}/`,
      ...extra,
    ]);
  }

  it("rewrites the catalog's prices and prints old and new prices and the rows not found", async () => {
    const dayBefore = isoDate();
    const result = await prices();
    const dayAfter = isoDate();
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).to.match(
      /^cloud +use +instance type +region +old USD\/h +was +new USD\/h +change$/,
    );
    expect(lines).to.include.members([
      "aws    training  m5.large              us-east-1  0.096      secondary, 2026-11-28  0.096      same",
      "aws    training  m5.xlarge             us-east-1  0.192      secondary, 2026-11-28  0.201      +4.7%",
      "azure  hosting   Standard_D2as_v4      eastus     0.096      secondary, 2026-11-28  0.086      -10.4%",
      "Not found, left as they were:",
      "  aws training g4dn.xlarge (us-east-1): the us-east-1 EC2 offer file has no on-demand Linux price (shared tenancy, no pre-installed software) for g4dn.xlarge",
      `20 refreshed, 13 not found; wrote ${catalog}`,
    ]);
    const text = fs.readFileSync(catalog, "utf8");
    expect(text.endsWith("}\n]\n")).to.equal(true);
    const rows = JSON.parse(text) as InstanceType[];
    const m5 = rows.find((r) => r.cloud === "aws" && r.instanceType === "m5.xlarge");
    expect(m5?.hourlyUsd).to.equal(0.201);
    expect(m5?.source).to.equal(ec2OfferUrl(aws.base, "us-east-1"));
    expect(m5?.priceStatus).to.equal("published");
    expect([dayBefore, dayAfter]).to.include(m5?.priceDate);
    const gcp = rows.filter((r) => r.cloud === "gcp");
    const gcpBefore = (JSON.parse(original) as InstanceType[]).filter((r) => r.cloud === "gcp");
    expect(gcp).to.deep.equal(gcpBefore);
  });

  it("prints the same table and writes nothing with --dry-run", async () => {
    const result = await prices("--dry-run", "--cloud", "aws");
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    expect(result.stdout).to.include("+4.7%");
    expect(result.stdout.trimEnd().split("\n").pop()).to.equal(
      `10 refreshed, 7 not found; dry run, ${catalog} not written`,
    );
    expect(fs.readFileSync(catalog, "utf8")).to.equal(original);
  });

  it("exits 1 with one line naming the URL on a malformed answer, leaving the catalog as it was", async () => {
    const broken = await serve(() => ({ body: "<html>maintenance</html>" }));
    try {
      const result = await runCli([
        "prices",
        "--catalog",
        catalog,
        "--cloud",
        "azure",
        "--base-url-azure",
        broken.base,
      ]);
      expect(result.status).to.equal(1);
      expect(result.stdout).to.equal("");
      expect(result.stderr.split("\n")).to.have.length(2);
      expect(result.stderr).to.match(
        /^error: prices: http:\/\/127\.0\.0\.1:\d+\/api\/retail\/prices\?api-version=2023-01-01-preview&\$filter=.+: the response is not JSON \(.+\); the catalog was not changed\n$/,
      );
    } finally {
      await broken.close();
    }
    expect(fs.readFileSync(catalog, "utf8")).to.equal(original);
  });

  it("refuses GCP, however it is asked for, with exit code 2 and no stack trace", async () => {
    for (const args of [
      ["--cloud", "gcp"],
      ["--gcp-api-key", "fixture-key"],
    ]) {
      const result = await prices(...args);
      expect(result.status, args.join(" ")).to.equal(2);
      expect(result.stderr).to.equal(`error: ${GCP_REFUSAL}\n`);
    }
    expect(fs.readFileSync(catalog, "utf8")).to.equal(original);
  });

  it("refuses an unknown cloud, an unknown flag and a base URL that is not one", async () => {
    const cloud = await prices("--cloud", "oracle");
    expect(cloud.status).to.equal(2);
    expect(cloud.stderr).to.equal(
      `error: prices: --cloud oracle is not a cloud; use aws or azure (gcp: ${GCP_REASON})\n`,
    );
    const flag = await runCli(["prices", "--region", "eastus"]);
    expect(flag.status).to.equal(2);
    expect(flag.stderr).to.match(
      /^error: prices: Unknown option '--region'.*; flags are --cloud, /,
    );
    const url = await runCli(["prices", "--base-url-aws", "pricing.example"]);
    expect(url.status).to.equal(2);
    expect(url.stderr).to.equal(
      "error: prices: --base-url-aws pricing.example is not a URL; use http(s)://host[:port]\n",
    );
  });
});
