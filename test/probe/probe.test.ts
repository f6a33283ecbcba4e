import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ML_API_VERSION } from "../../components/azure/armApi";
import { resolveInstance } from "../../policies/catalog";
import type { ProbeReport } from "../../engine/probe/report";
import type { EndpointReport } from "../../engine/probe/run";
import { type CliResult, PROJECT_DIR } from "../cli";
import {
  AZURE_ENDPOINT_ID,
  type Behaviour,
  ENDPOINT_KEY,
  GOOGLE_TOKEN,
  IDENTITY_HEADER,
  type LoopbackService,
  VERTEX_PATH,
  azureMl,
  sageMakerRuntime,
  vertexAi,
} from "./services";

const SAMPLE = JSON.parse(
  fs.readFileSync(path.join(PROJECT_DIR, "models/iris/sample.json"), "utf8"),
) as { request: { instances: number[][] }; predictions: number[] };

/** Every kind of answer once, in an order a single worker meets them in. */
const MIXED: Behaviour[] = ["ok", "ok", "throttle", "5xx", "wrong", "ok", "slow", "ok"];

/**
 * Runs the command line in its own process, without blocking this one: the loopback services
 * answer from this process's event loop.
 */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--require", "./loader/register.js", "engine/cli.ts", ...args],
      {
        cwd: PROJECT_DIR,
        env,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A stack's outputs as `pulumi stack output --json` prints them, its endpoints on loopback. */
function outputs(urls: { azure: string; gcp: string }) {
  const details = (cloud: "aws" | "azure" | "gcp", size: string) => {
    const row = resolveInstance(size as "cpu-4x16", cloud, "hosting");
    return {
      cloud,
      size,
      instanceType: row.instanceType,
      hourlyUsd: row.hourlyUsd,
      priceRegion: row.region,
      minReplicas: 2,
      maxReplicas: 6,
    };
  };
  return {
    aws: {
      workspaceName: "mlplatform-aws-prod",
      endpoints: {
        iris: "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mlplatform-aws-prod-iris/invocations",
      },
      endpointDetails: {
        iris: {
          ...details("aws", "cpu-4x16"),
          region: "us-east-1",
          endpointName: "mlplatform-aws-prod-iris",
          scoringUrl:
            "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mlplatform-aws-prod-iris/invocations",
          auth: "sigv4",
        },
      },
    },
    azure: {
      endpointDetails: {
        iris: {
          ...details("azure", "cpu-4x16"),
          region: "eastus",
          endpointName: "iris-x7k2p9",
          scoringUrl: `${urls.azure}/score`,
          auth: "key",
          resourceId: AZURE_ENDPOINT_ID,
        },
      },
    },
    gcp: {
      endpointDetails: {
        iris: {
          ...details("gcp", "cpu-4x16"),
          region: "us-central1",
          endpointName: "1234567890",
          scoringUrl: `${urls.gcp}${VERTEX_PATH}`,
          auth: "google-oauth",
        },
      },
    },
  };
}

describe("probe against loopback services", function () {
  this.timeout(180_000);
  let dir: string;
  let services: LoopbackService[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-"));
  });
  afterEach(async () => {
    await Promise.all(services.map((s) => s.stop()));
    services = [];
  });

  /** Starts the three services, writes the outputs and runs `probe` with each SDK's standard knobs. */
  async function probe(
    scripts: { aws: Behaviour[]; azure: Behaviour[]; gcp: Behaviour[] },
    extra: string[],
    options: { listKeysStatus?: number; googleTokens?: boolean } = {},
  ) {
    const aws = sageMakerRuntime(scripts.aws, SAMPLE.predictions);
    const azure = azureMl(scripts.azure, SAMPLE.predictions, options.listKeysStatus);
    const gcp = vertexAi(scripts.gcp, SAMPLE.predictions, options.googleTokens);
    services = [aws, azure, gcp];
    const [awsUrl, azureUrl, gcpUrl] = await Promise.all(services.map((s) => s.start()));
    const file = path.join(dir, "outputs.json");
    fs.writeFileSync(file, JSON.stringify(outputs({ azure: azureUrl, gcp: gcpUrl })));
    // Only these credentials: no developer's profile, CLI login or cloud metadata leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
      AWS_SECRET_ACCESS_KEY: "loopback-secret",
      AWS_CONFIG_FILE: path.join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: awsUrl,
      IDENTITY_ENDPOINT: `${azureUrl}/msi/token`,
      IDENTITY_HEADER,
      GCE_METADATA_HOST: gcpUrl.replace("http://", ""),
      CLOUDSDK_CONFIG: path.join(dir, "gcloud"),
      // The SDK warns on Node.js 20 that its releases after January 2027 need Node.js 22;
      // the tests read stderr for the probe's own messages.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const result = await runCliAsync(
      ["probe", "--outputs", file, "--azure-management-url", azureUrl, ...extra],
      env,
    );
    return { result, aws, azure, gcp };
  }

  const byCloud = (report: ProbeReport) =>
    Object.fromEntries(report.endpoints.map((e) => [e.cloud, e])) as Record<string, EndpointReport>;

  it("sends the sample request through each cloud's SDK and checks every answer", async () => {
    const ok: Behaviour[] = ["ok"];
    const { result, aws, azure, gcp } = await probe({ aws: ok, azure: ok, gcp: ok }, [
      "--requests",
      "6",
      "--concurrency",
      "2",
      "--json",
    ]);
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    const report = JSON.parse(result.stdout) as ProbeReport;
    expect(report.format).to.equal("mlplatform-probe/1");
    expect(report.endpoints.map((e) => e.cloud)).to.deep.equal(["aws", "azure", "gcp"]);
    for (const e of report.endpoints) {
      expect(e.error, e.cloud).to.equal(undefined);
      expect([e.requests, e.correct], e.cloud).to.deep.equal([6, 6]);
      expect(e.latency?.count, e.cloud).to.equal(6);
      const latency = e.latency as NonNullable<EndpointReport["latency"]>;
      expect(latency.p50Ms).to.be.at.most(latency.p95Ms);
      expect(latency.p95Ms).to.be.at.most(latency.p99Ms);
      const expected = ((e.hourlyUsd * e.replicas) / 3600 / e.predictionsPerSecond) * 1000;
      expect(e.costPer1000PredictionsUsd, e.cloud).to.be.closeTo(expected, expected * 0.01);
    }

    // SageMaker Runtime: SigV4-signed POST of the sample, as JSON, to the endpoint's path.
    const invocation = aws.received[0];
    expect(invocation.method).to.equal("POST");
    expect(invocation.path).to.equal("/endpoints/mlplatform-aws-prod-iris/invocations");
    expect(invocation.headers.authorization).to.match(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK\/\d{8}\/us-east-1\/sagemaker\/aws4_request, /,
    );
    expect(invocation.headers["x-amz-date"]).to.match(/^\d{8}T\d{6}Z$/);
    expect(invocation.headers["content-type"]).to.equal("application/json");
    expect(invocation.headers.accept).to.equal("application/json");
    expect(JSON.parse(invocation.body)).to.deep.equal(SAMPLE.request);
    expect(aws.received).to.have.length(6);

    // Azure: a managed-identity token for ARM, listKeys once, then the key as a bearer token.
    const [token, listKeys, ...scoring] = azure.received;
    expect(token.path).to.match(/^\/msi\/token\?/);
    expect(new URL(token.path, "http://x").searchParams.get("resource")).to.equal(
      "https://management.azure.com",
    );
    expect(listKeys.method).to.equal("POST");
    expect(listKeys.path).to.equal(`${AZURE_ENDPOINT_ID}/listKeys?api-version=${ML_API_VERSION}`);
    expect(scoring).to.have.length(6);
    for (const r of scoring) {
      expect([r.method, r.path, r.headers.authorization]).to.deep.equal([
        "POST",
        "/score",
        `Bearer ${ENDPOINT_KEY}`,
      ]);
      expect(JSON.parse(r.body)).to.deep.equal(SAMPLE.request);
    }

    // Vertex AI: the metadata server's token on every predict call.
    const predicts = gcp.received.filter((r) => r.path === VERTEX_PATH);
    expect(predicts).to.have.length(6);
    for (const r of predicts) {
      expect(r.headers.authorization).to.equal(`Bearer ${GOOGLE_TOKEN}`);
      expect(JSON.parse(r.body)).to.deep.equal(SAMPLE.request);
    }
  });

  it("counts throttling, server errors, wrong answers and time-outs apart, and exits 1", async () => {
    const { result } = await probe({ aws: MIXED, azure: MIXED, gcp: MIXED }, [
      "--requests",
      String(MIXED.length),
      "--concurrency",
      "1",
      "--timeout",
      "1",
      "--json",
    ]);
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(1);
    const clouds = byCloud(JSON.parse(result.stdout) as ProbeReport);
    for (const cloud of ["aws", "azure", "gcp"]) {
      const e = clouds[cloud];
      expect(e.requests, cloud).to.equal(8);
      expect(e.correct, cloud).to.equal(4);
      expect(e.errors, cloud).to.deep.equal({
        auth: 0,
        throttled: 1,
        "5xx": 1,
        timeout: 1,
        "wrong-answer": 1,
        other: 0,
      });
      // Answered requests only: the four right and the one wrong answer.
      expect(e.latency?.count, cloud).to.equal(5);
      expect(e.errorSamples.find((s) => s.kind === "wrong-answer")?.message, cloud).to.match(
        /^predicted \[\d, \d, \d, \d\]|^predicted \[\d,\d,\d,\d\], expected \[0,1,2,2\]$/,
      );
    }
    expect(clouds.aws.errorSamples.map((s) => s.message)).to.include.members([
      "ThrottlingException: Rate exceeded",
    ]);
  });

  it("stops at the time bound with requests left to send", async () => {
    const slow: Behaviour[] = ["slow"];
    const started = Date.now();
    const { result } = await probe({ aws: ["ok"], azure: ["ok"], gcp: slow }, [
      "--requests",
      "1000",
      "--concurrency",
      "1",
      "--duration",
      "2",
      "--timeout",
      "5",
      "--endpoint",
      "iris",
      "--json",
    ]);
    expect(result.status).to.equal(0);
    const gcp = byCloud(JSON.parse(result.stdout) as ProbeReport).gcp;
    // Requests start for two seconds; each takes 1.5 s.
    expect(gcp.requests).to.be.within(1, 2);
    expect(gcp.correct).to.equal(gcp.requests);
    expect(Date.now() - started).to.be.below(60_000);
  });

  it("reports an endpoint that refuses auth and still probes the others", async () => {
    const { result } = await probe(
      { aws: ["refuse"], azure: ["ok"], gcp: ["ok"] },
      ["--requests", "3", "--json"],
      { listKeysStatus: 403, googleTokens: false },
    );
    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(1);
    const clouds = byCloud(JSON.parse(result.stdout) as ProbeReport);
    expect(clouds.aws.errors.auth).to.equal(3);
    expect(clouds.aws.errorSamples[0].message).to.match(/^UnrecognizedClientException: /);
    expect(clouds.azure.error?.kind).to.equal("auth");
    expect(clouds.azure.error?.message).to.match(
      /listKeys of .* answered HTTP 403: .*AuthorizationFailed/,
    );
    expect(clouds.azure.requests).to.equal(0);
    expect(clouds.gcp.error?.kind).to.equal("auth");
    expect(clouds.gcp.error?.message).to.match(
      /^no Google credentials from Application Default Credentials: /,
    );
  });

  it("prints a table with the errors' first messages", async () => {
    const { result } = await probe({ aws: ["ok", "throttle"], azure: ["ok"], gcp: ["ok"] }, [
      "--requests",
      "2",
      "--concurrency",
      "1",
    ]);
    expect(result.status).to.equal(1);
    expect(result.stdout).to.match(/^Probe of outputs: 2 requests at most, 1 at once/);
    expect(result.stdout).to.match(
      /\n\S+ +aws +iris +ml\.m5\.xlarge +2 +[\d.]+ +[\d,]+ +2 +1 +throttled 1 /,
    );
    expect(result.stdout).to.include("aws iris: throttled: ThrottlingException: Rate exceeded");
  });

  it("reads a stack's outputs through the Pulumi CLI, and refuses a stack with no endpoints", async () => {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const log = path.join(dir, "pulumi-args");
    fs.writeFileSync(
      path.join(bin, "pulumi"),
      `#!/bin/sh\necho "$@" > "${log}"\necho '{"aws": {"workspaceName": "mlplatform-aws-prod", "endpoints": {}, "endpointDetails": {}}}'\n`,
      { mode: 0o755 },
    );
    const result = await runCliAsync(["probe", "--stack", "aws-prod"], {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(fs.readFileSync(log, "utf8").trim()).to.equal(
      "stack output --json --show-secrets --stack aws-prod",
    );
    expect([result.status, result.stdout]).to.deep.equal([2, ""]);
    expect(result.stderr).to.match(/^error: stack aws-prod: the stack exports no endpoints /);
  });

  it("says when the Pulumi CLI is missing, exit 2", async () => {
    const result = await runCliAsync(["probe", "--stack", "aws-prod"], {
      PATH: path.dirname(process.execPath),
    });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(
      "error: --stack aws-prod: the Pulumi CLI (pulumi) is not installed or not on PATH; install it (https://www.pulumi.com/docs/iac/download-install/), or run `pulumi stack output --json --show-secrets --stack aws-prod > outputs.json` where it is and pass --outputs outputs.json\n",
    );
  });

  it("refuses a missing or unreadable outputs file and bad bounds, exit 2 with no stack trace", async () => {
    const missing = await runCliAsync(
      ["probe", "--outputs", path.join(dir, "none.json")],
      process.env,
    );
    expect([missing.status, missing.stdout]).to.deep.equal([2, ""]);
    expect(missing.stderr).to.match(
      /^error: --outputs \S+none\.json: no such file; write it with /,
    );
    const garbled = path.join(dir, "garbled.json");
    fs.writeFileSync(garbled, "{ not json");
    const notJson = await runCliAsync(["probe", "--outputs", garbled], process.env);
    expect(notJson.status).to.equal(2);
    expect(notJson.stderr).to.match(/^error: --outputs \S+garbled\.json: not JSON \(/);
    const bounds = await runCliAsync(
      ["probe", "--outputs", garbled, "--concurrency", "500"],
      process.env,
    );
    expect(bounds.stderr).to.equal(
      "error: probe: --concurrency 500 is not allowed; use an integer from 1 to 64\n",
    );
    for (const r of [missing, notJson, bounds]) expect(r.stderr).not.to.match(/\n\s+at /);
  });
});
