import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLOUD_COLOURS } from "../../engine/probe/report";
import { runCli } from "../cli";
import { countColour, decodePng } from "./png";
import { probeReport } from "./reports";

/** The three one-cloud stacks, probed: Azure the slowest and dearest, with some throttling. */
const REPORTS = [
  probeReport("aws-prod", "aws", { p50Ms: 40, costPer1000PredictionsUsd: 0.0035 }),
  probeReport("azure-prod", "azure", { p50Ms: 55, costPer1000PredictionsUsd: 0.0041, correct: 97 }),
  probeReport("gcp-prod", "gcp", { p50Ms: 30, costPer1000PredictionsUsd: 0.0029 }),
];

/** Chromium on PATH, as Debian's `chromium` package installs it; `.ci/run` installs it. */
function chromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser"]) {
    if (spawnSync(name, ["--version"], { encoding: "utf8" }).status === 0) return name;
  }
  return undefined;
}

/** The attributes of every `<rect class="bar">` inside the element with `id`. */
function bars(html: string, id: string): { width: number; fill: string }[] {
  const start = html.indexOf(`id="${id}"`);
  const end = html.indexOf("</svg>", start);
  expect(start, id).to.be.greaterThan(-1);
  return [...html.slice(start, end).matchAll(/<rect class="bar"[^>]*>/g)].map((m) => ({
    width: Number(/width="([\d.]+)"/.exec(m[0])?.[1]),
    fill: String(/fill="([^"]+)"/.exec(m[0])?.[1]),
  }));
}

describe("compare --live", function () {
  this.timeout(120_000);
  let dir: string;
  let files: string[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "compare-live-"));
    files = REPORTS.map((report) => {
      const file = path.join(dir, `${report.stack}.json`);
      fs.writeFileSync(file, JSON.stringify(report));
      return file;
    });
  });

  it("puts the probed stacks side by side with the catalog figures", () => {
    const result = runCli(["compare", "--live", ...files]);
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).to.match(
      /^stack +cloud +endpoint +instance type +replicas +USD\/h +idle USD\/month +requests +correct +errors +p50 ms +p95 ms +p99 ms +req\/s +pred\/s +USD\/1k pred$/,
    );
    expect(lines[2]).to.match(
      /^aws-prod +aws +iris +ml\.m5\.xlarge +2 +0\.2500 +365 +100 +100 +0 +40\.0 +80\.0 +120\.0 +10\.00 +40\.00 +0\.00350$/,
    );
    expect(lines[3]).to.match(/^azure-prod +azure +iris .* +97 +throttled 3 +55\.0 /);
    expect(result.stdout).to.include("azure-prod azure iris: throttled: HTTP 429: busy");
  });

  it("prints JSON and Markdown", () => {
    const json = runCli(["compare", "--live", ...files, "--json"]);
    expect(json.status).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal({ stacks: REPORTS });
    const markdown = runCli(["compare", "--live", ...files, "--markdown"]);
    expect(markdown.status).to.equal(0);
    const rows = markdown.stdout.split("\n");
    expect(rows[0]).to.equal(
      "| stack | cloud | endpoint | instance type | replicas | USD/h | idle USD/month | requests | correct | errors | p50 ms | p95 ms | p99 ms | req/s | pred/s | USD/1k pred |",
    );
    expect(rows[1]).to.match(/^\| --- \| --- \| --- \| --- \| ---: \|/);
    expect(rows[4]).to.match(/^\| gcp-prod \| gcp \| iris \| n2-standard-4 \| 2 \|/);
  });

  it("writes an HTML report whose bars scale with latency and cost", () => {
    const html = path.join(dir, "scaled.html");
    expect(runCli(["compare", "--live", ...files, "--html", html]).status).to.equal(0);
    const page = fs.readFileSync(html, "utf8");
    expect(page).not.to.match(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const latency = bars(page, "latency-chart");
    const cost = bars(page, "cost-chart");
    expect(latency).to.have.length(9);
    expect(cost.map((b) => b.fill)).to.deep.equal([
      CLOUD_COLOURS.aws,
      CLOUD_COLOURS.azure,
      CLOUD_COLOURS.gcp,
    ]);
    // Azure's p99 (165 ms) is the longest latency bar; GCP's p50 (30 ms) is 30/165 of it.
    expect(latency[5].width).to.equal(Math.max(...latency.map((b) => b.width)));
    expect(latency[6].width / latency[5].width).to.be.closeTo(30 / 165, 0.01);
    expect(cost[0].width / cost[1].width).to.be.closeTo(0.0035 / 0.0041, 0.01);
  });

  it("draws both charts in headless Chromium", function () {
    const browser = chromium();
    if (browser === undefined) {
      // .ci/run installs Debian's chromium package; only a machine without it skips.
      console.warn("    chromium is not installed (apt-get install chromium): skipping");
      this.skip();
    }
    const html = path.join(dir, "report.html");
    expect(runCli(["compare", "--live", ...files, "--html", html]).status).to.equal(0);
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--hide-scrollbars",
      "--window-size=1400,1000",
    ];
    const dom = spawnSync(browser, [...flags, "--dump-dom", `file://${html}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(dom.status, dom.stderr).to.equal(0);
    // The browser parsed both charts as SVG with every bar.
    expect(bars(dom.stdout, "latency-chart")).to.have.length(9);
    expect(bars(dom.stdout, "cost-chart")).to.have.length(3);

    const png = path.join(dir, "report.png");
    const shot = spawnSync(browser, [...flags, `--screenshot=${png}`, `file://${html}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(shot.status, shot.stderr).to.equal(0);
    const image = decodePng(fs.readFileSync(png));
    expect(image.width).to.equal(1400);
    // Each cloud's solid colour covers far more than its legend swatch: its p50 and cost bars.
    for (const [cloud, colour] of Object.entries(CLOUD_COLOURS)) {
      expect(countColour(image, colour), cloud).to.be.greaterThan(2000);
    }
  });

  it("refuses a file that is missing or not a probe report, exit 2", () => {
    const missing = runCli(["compare", "--live", path.join(dir, "none.json")]);
    expect([missing.status, missing.stdout]).to.deep.equal([2, ""]);
    expect(missing.stderr).to.equal(`error: ${path.join(dir, "none.json")}: no such file\n`);
    const other = path.join(dir, "other.json");
    fs.writeFileSync(other, JSON.stringify({ aws: {} }));
    const notReport = runCli(["compare", "--live", other]);
    expect(notReport.status).to.equal(2);
    expect(notReport.stderr).to.match(
      /: not a probe report \(format undefined\); write one with `npm run probe/,
    );
    expect(notReport.stderr).not.to.match(/\n\s+at /);
  });

  it("needs report files or --stacks, and says when the Pulumi CLI is missing", () => {
    const neither = runCli(["compare", "--live"]);
    expect(neither.status).to.equal(2);
    expect(neither.stderr).to.match(/^error: compare --live: give probe report files or --stacks/);
    const noCli = runCli(["compare", "--live", "--stacks", "aws-prod,gcp-prod"], 120_000, {
      PATH: path.dirname(process.execPath),
    });
    expect(noCli.status).to.equal(2);
    expect(noCli.stderr).to.match(
      /^error: --stack aws-prod: the Pulumi CLI \(pulumi\) is not installed or not on PATH; /,
    );
  });
});
