import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a loopback service received. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a scoring endpoint does with the request of its turn. */
export type Behaviour = "ok" | "wrong" | "throttle" | "5xx" | "slow" | "refuse";

/** How long a slow answer takes, in milliseconds: longer than the tests' one-second time-out. */
export const SLOW_MS = 1500;

export const ARM_TOKEN = "arm-token-from-managed-identity";
export const IDENTITY_HEADER = "identity-header-secret";
export const ENDPOINT_KEY = "azure-endpoint-primary-key";
export const GOOGLE_TOKEN = "ya29.loopback-access-token";
export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const AZURE_ENDPOINT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/mlplatform-aws-prod/providers/Microsoft.MachineLearningServices/workspaces/mlplatform-azure-prod/onlineEndpoints/iris-x7k2p9`;
export const VERTEX_PATH =
  "/v1/projects/ml-platform-test/locations/us-central1/endpoints/1234567890:predict";

/**
 * A loopback HTTP server (127.0.0.1 only) that records every request and answers through
 * `handle`, which returns the status, headers and body, after `delayMs` when it says so.
 */
export class LoopbackService {
  readonly received: Received[] = [];
  private server: http.Server;

  constructor(
    private readonly handle: (request: Received) => {
      status: number;
      headers?: Record<string, string>;
      body: string;
      delayMs?: number;
    },
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const request: Received = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.received.push(request);
        const answer = this.handle(request);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, {
            "Content-Type": "application/json",
            ...answer.headers,
          });
          res.end(answer.body);
        };
        if (answer.delayMs === undefined) send();
        else setTimeout(send, answer.delayMs).unref();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A scoring endpoint's behaviour for its n-th request (counting from 0), cycling. */
function turn(script: readonly Behaviour[], n: number): Behaviour {
  return script[n % script.length];
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * SageMaker Runtime `InvokeEndpoint` (REST-JSON): `POST /endpoints/{name}/invocations`, SigV4
 * `Authorization`, the body passed to the model as is. Errors carry their type in
 * `x-amzn-ErrorType`, as the service sends them.
 */
export function sageMakerRuntime(script: readonly Behaviour[], predictions: number[]) {
  let n = 0;
  return new LoopbackService((req) => {
    const signed =
      /^AWS4-HMAC-SHA256 Credential=\S+\/sagemaker\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(
        String(req.headers.authorization),
      );
    if (!signed || !/^\/endpoints\/[^/]+\/invocations$/.test(req.path)) {
      return {
        status: 403,
        headers: { "x-amzn-ErrorType": "InvalidSignatureException" },
        body: json({ message: "The request signature we calculated does not match" }),
      };
    }
    const error = (status: number, type: string, body: unknown) => ({
      status,
      headers: { "x-amzn-ErrorType": type },
      body: json(body),
    });
    switch (turn(script, n++)) {
      case "ok":
        return { status: 200, body: json({ predictions }) };
      case "wrong":
        return { status: 200, body: json({ predictions: predictions.map(() => 0) }) };
      case "throttle":
        return error(400, "ThrottlingException", { message: "Rate exceeded" });
      case "5xx":
        return error(424, "ModelError", {
          Message: "Received server error (500) from primary",
          OriginalStatusCode: 500,
          OriginalMessage: "Internal Server Error",
        });
      case "slow":
        return { status: 200, body: json({ predictions }), delayMs: SLOW_MS };
      case "refuse":
        return error(403, "UnrecognizedClientException", {
          message: "The security token included in the request is invalid.",
        });
    }
  });
}

/**
 * Azure: the App Service managed identity endpoint `DefaultAzureCredential` reads from
 * `IDENTITY_ENDPOINT`, ARM's `listKeys` action, and the endpoint's scoring URL, which takes the
 * key as a bearer token. `listKeysStatus` other than 200 refuses the key lookup.
 */
export function azureMl(script: readonly Behaviour[], predictions: number[], listKeysStatus = 200) {
  let n = 0;
  return new LoopbackService((req) => {
    const url = new URL(req.path, "http://127.0.0.1");
    if (url.pathname === "/msi/token") {
      if (req.headers["x-identity-header"] !== IDENTITY_HEADER) {
        return { status: 401, body: json({ error: "missing identity header" }) };
      }
      return {
        status: 200,
        body: json({
          access_token: ARM_TOKEN,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: url.searchParams.get("resource"),
          token_type: "Bearer",
        }),
      };
    }
    if (url.pathname === `${AZURE_ENDPOINT_ID}/listKeys`) {
      if (req.method !== "POST" || req.headers.authorization !== `Bearer ${ARM_TOKEN}`) {
        return { status: 401, body: json({ error: { code: "AuthenticationFailed" } }) };
      }
      if (listKeysStatus !== 200) {
        return {
          status: listKeysStatus,
          body: json({
            error: {
              code: "AuthorizationFailed",
              message: "The client does not have authorization to perform action listKeys",
            },
          }),
        };
      }
      return { status: 200, body: json({ primaryKey: ENDPOINT_KEY, secondaryKey: "second" }) };
    }
    if (url.pathname === "/score") {
      if (req.headers.authorization !== `Bearer ${ENDPOINT_KEY}`) {
        return { status: 401, body: "key_auth_access_denied" };
      }
      switch (turn(script, n++)) {
        case "ok":
          return { status: 200, body: json({ predictions }) };
        case "wrong":
          return { status: 200, body: json({ predictions: predictions.map(() => 1) }) };
        case "throttle":
          return { status: 429, body: json({ message: "Too many requests" }) };
        case "5xx":
          return {
            status: 502,
            body: json({ message: "An unexpected error occurred in scoring script" }),
          };
        case "slow":
          return { status: 200, body: json({ predictions }), delayMs: SLOW_MS };
        case "refuse":
          return { status: 401, body: "key_auth_access_denied" };
      }
    }
    return { status: 404, body: json({ error: `no route ${req.path}` }) };
  });
}

/**
 * Google: the metadata server Application Default Credentials fall back to (`GCE_METADATA_HOST`),
 * and Vertex AI `endpoints.predict`, which takes the access token as a bearer token and answers
 * with google.rpc.Status errors.
 */
export function vertexAi(script: readonly Behaviour[], predictions: number[], tokens = true) {
  let n = 0;
  const rpcError = (code: number, status: string, message: string) => ({
    status: code,
    body: json({ error: { code, message, status } }),
  });
  return new LoopbackService((req) => {
    const url = new URL(req.path, "http://127.0.0.1");
    if (url.pathname.startsWith("/computeMetadata/v1/")) {
      if (req.headers["metadata-flavor"] !== "Google") {
        return { status: 403, body: "missing Metadata-Flavor" };
      }
      const flavour = { "Metadata-Flavor": "Google" };
      if (url.pathname === "/computeMetadata/v1/instance/service-accounts/default/token") {
        return tokens
          ? {
              status: 200,
              headers: flavour,
              body: json({ access_token: GOOGLE_TOKEN, expires_in: 3599, token_type: "Bearer" }),
            }
          : { status: 404, headers: flavour, body: "no service account" };
      }
      return { status: 200, headers: { ...flavour, "Content-Type": "text/plain" }, body: "" };
    }
    if (url.pathname === VERTEX_PATH && req.method === "POST") {
      if (req.headers.authorization !== `Bearer ${GOOGLE_TOKEN}`) {
        return rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
      }
      const answer = (values: number[]) =>
        json({
          predictions: values,
          deployedModelId: "4242",
          model: "projects/1/locations/us-central1/models/77",
          modelDisplayName: "iris",
          modelVersionId: "1",
        });
      switch (turn(script, n++)) {
        case "ok":
          return { status: 200, body: answer(predictions) };
        case "wrong":
          return { status: 200, body: answer(predictions.map(() => 2)) };
        case "throttle":
          return rpcError(429, "RESOURCE_EXHAUSTED", "Resource exhausted, please try again later.");
        case "5xx":
          return rpcError(503, "UNAVAILABLE", "The service is currently unavailable.");
        case "slow":
          return { status: 200, body: answer(predictions), delayMs: SLOW_MS };
        case "refuse":
          return rpcError(
            403,
            "PERMISSION_DENIED",
            "Permission 'aiplatform.endpoints.predict' denied",
          );
      }
    }
    return { status: 404, body: json({ error: `no route ${req.path}` }) };
  });
}
