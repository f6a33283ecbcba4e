import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import {
  type CallSubject,
  type DeployModelResponse,
  type DeployedModel,
  type Endpoint,
  type ListModelsResponse,
  type Model,
  type Operation,
  type UploadModelResponse,
  type VertexApiError,
  isVertexApiError,
  type VertexClient,
  vertexApiError,
  vertexClient,
  waitForOperation,
  DEFAULT_TARGET_CPU_UTILIZATION_PERCENT,
} from "./vertexApi";

/**
 * The provider behind `VertexModelDeployment` (vertexDeployment.ts): a model deployed onto a
 * Vertex AI endpoint, uploaded to the Model Registry with a prebuilt serving container, then
 * deployed on dedicated, autoscaled replicas with all of the endpoint's traffic. Neither the Google
 * Terraform provider nor Pulumi's has a resource for this, so it is a Pulumi dynamic provider
 * calling the Vertex AI v1 REST API (see docs/gcp-deployment.md). The resource bundles this module
 * into the stack's state (components/dynamicProvider.ts): it imports Node's modules and
 * ./vertexApi, and google-auth-library only when it runs.
 */

/** Bounds on each kind of long-running operation, in milliseconds. */
export interface OperationTimeouts {
  uploadMs: number;
  deployMs: number;
  mutateMs: number;
  undeployMs: number;
  deleteModelMs: number;
}

export interface VertexDeploymentProviderOptions {
  /**
   * Returns an OAuth 2.0 access token with the cloud-platform scope.
   * @default - the gcp provider's credentials (`resolveCredentials`) through google-auth-library
   */
  accessToken?: () => Promise<string>;
  /**
   * Service root of the IAM Service Account Credentials API, which impersonation calls.
   * @default `https://iamcredentials.googleapis.com`
   */
  iamCredentialsEndpoint?: string;
  /** @default - upload 30 min, deploy 45 min, mutate 30 min, undeploy 20 min, model deletion 10 min */
  timeouts?: Partial<OperationTimeouts>;
  /** First pause between polls of an operation; later pauses grow 1.5 times. @default 2000 */
  pollInitialDelayMs?: number;
  /** Longest pause between polls. @default 30000 */
  pollMaxDelayMs?: number;
  /** Bound on each HTTP request. @default 60000 */
  requestTimeoutMs?: number;
}

const DEFAULT_TIMEOUTS: OperationTimeouts = {
  uploadMs: 30 * 60_000,
  deployMs: 45 * 60_000,
  mutateMs: 30 * 60_000,
  undeployMs: 20 * 60_000,
  deleteModelMs: 10 * 60_000,
};
const DEFAULT_POLL_INITIAL_DELAY_MS = 2000;
const DEFAULT_POLL_MAX_DELAY_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_IAM_CREDENTIALS_ENDPOINT = "https://iamcredentials.googleapis.com";
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const CPU_UTILIZATION_METRIC = "aiplatform.googleapis.com/prediction/online/cpu/utilization";
/** Label on every uploaded model holding `requestMarker(...)`; an underscore keeps it filterable. */
const MARKER_LABEL = "mlplatform_deployment";
const MARKER_LENGTH = 32;
/** How the engine passes a value that is not known yet (during preview). */
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const MAX_USER_LABELS = 63;
const MAX_DISPLAY_NAME_LENGTH = 128;
const LIST_PAGE_SIZE = "100";
const MAX_LIST_PAGES = 20;

/** Inputs whose change needs a new model or deployment. */
const REPLACE_FIELDS = [
  "project",
  "region",
  "endpointId",
  "displayName",
  "artifactUri",
  "servingImage",
  "machineType",
  "acceleratorType",
  "acceleratorCount",
  "serviceAccount",
  "kmsKeyName",
] as const;
/** Inputs changed in place: replica bounds and target (mutateDeployedModel), labels (models.patch). */
const UPDATE_FIELDS = [
  "minReplicas",
  "maxReplicas",
  "targetCpuUtilizationPercent",
  "labels",
  "apiEndpoint",
] as const;

/** The inputs with defaults applied, as the provider works with them. */
export interface DeploymentInputs {
  project: string;
  region: string;
  endpointId: string;
  displayName: string;
  artifactUri: string;
  servingImage: string;
  machineType: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  minReplicas: number;
  maxReplicas: number;
  targetCpuUtilizationPercent: number;
  serviceAccount?: string;
  kmsKeyName?: string;
  labels: Record<string, string>;
  apiEndpoint: string;
}

/** What the provider records in the stack state: the inputs and what the API assigned. */
export interface DeploymentState extends DeploymentInputs {
  /** Full name of the endpoint. */
  endpointName: string;
  /** Full name of the uploaded model, as the API returned it. */
  modelName: string;
  modelId: string;
  /** Id of the deployed model within the endpoint. */
  deployedModelId: string;
  /** The deployment marker label value on the model. */
  requestMarker: string;
}

const ENDPOINT_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/endpoints\/([^/]+)$/;
const KMS_KEY_NAME = /^projects\/[^/]+\/locations\/([^/]+)\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

interface Failure {
  property: string;
  reason: string;
}

function isPositiveInteger(value: unknown, least: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= least;
}

/**
 * Every problem with a deployment's inputs, each naming the property, the bad value and what is
 * allowed. Values not known yet (during preview) are not checked.
 */
export function validateDeploymentInputs(props: Record<string, unknown>): Failure[] {
  const failures: Failure[] = [];
  const known = (key: string): boolean => props[key] !== undefined && props[key] !== UNKNOWN_VALUE;
  const fail = (property: string, allowed: string): void => {
    failures.push({
      property,
      reason: `${JSON.stringify(props[property])} is not allowed; ${allowed}`,
    });
  };
  const requireText = (key: string, pattern: RegExp, allowed: string): void => {
    if (props[key] === undefined) {
      failures.push({ property: key, reason: `is required; ${allowed}` });
    } else if (known(key) && (typeof props[key] !== "string" || !pattern.test(props[key]))) {
      fail(key, allowed);
    }
  };

  requireText("project", /^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "use a GCP project id");
  requireText("region", /^[a-z]+(-[a-z]+)+[0-9]+$/, "use a Vertex AI region such as us-central1");
  requireText(
    "endpointId",
    /^([a-z0-9][a-z0-9-]{0,62}|projects\/[^/]+\/locations\/[^/]+\/endpoints\/[^/]+)$/,
    "use the endpoint's id or its full name projects/{project}/locations/{region}/endpoints/{id}",
  );
  requireText(
    "displayName",
    new RegExp(`^\\S.{0,${MAX_DISPLAY_NAME_LENGTH - 1}}$`),
    `use 1 to ${MAX_DISPLAY_NAME_LENGTH} characters`,
  );
  requireText(
    "artifactUri",
    /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/\S*)?$/,
    "use the gs:// directory that holds the model file",
  );
  requireText("servingImage", /^\S+$/, "use a prebuilt Vertex AI prediction image URI");
  requireText("machineType", /^[a-z0-9][a-z0-9-]*$/, "use a Compute Engine machine type");

  if (known("endpointId") && known("region") && known("project")) {
    const match = ENDPOINT_NAME.exec(String(props.endpointId));
    if (match !== null && match[2] !== props.region) {
      fail("endpointId", `the endpoint must be in region ${String(props.region)}`);
    }
    if (match !== null && !/^[0-9]+$/.test(match[1]) && match[1] !== props.project) {
      fail("endpointId", `the endpoint must be in project ${String(props.project)}`);
    }
  }

  const hasType = props.acceleratorType !== undefined;
  const hasCount = props.acceleratorCount !== undefined;
  if (known("acceleratorType") && !/^[A-Z][A-Z0-9_]*$/.test(String(props.acceleratorType))) {
    fail("acceleratorType", "use a Vertex AI accelerator type such as NVIDIA_TESLA_T4");
  }
  if (known("acceleratorCount") && !isPositiveInteger(props.acceleratorCount, 1)) {
    fail("acceleratorCount", "use an integer of at least 1");
  }
  if (hasType !== hasCount) {
    failures.push({
      property: hasType ? "acceleratorCount" : "acceleratorType",
      reason: "acceleratorType and acceleratorCount must be set together",
    });
  }

  if (props.minReplicas === undefined) {
    failures.push({ property: "minReplicas", reason: "is required; use an integer of at least 1" });
  } else if (known("minReplicas") && !isPositiveInteger(props.minReplicas, 1)) {
    fail("minReplicas", "Vertex AI dedicated resources need an integer of at least 1");
  }
  if (props.maxReplicas === undefined) {
    failures.push({
      property: "maxReplicas",
      reason: "is required; use an integer >= minReplicas",
    });
  } else if (known("maxReplicas")) {
    const floor = isPositiveInteger(props.minReplicas, 1) ? props.minReplicas : 1;
    if (!isPositiveInteger(props.maxReplicas, floor)) {
      fail("maxReplicas", `use an integer of at least minReplicas (${floor})`);
    }
  }
  if (
    known("targetCpuUtilizationPercent") &&
    !(
      isPositiveInteger(props.targetCpuUtilizationPercent, 1) &&
      props.targetCpuUtilizationPercent <= 100
    )
  ) {
    fail("targetCpuUtilizationPercent", "use an integer from 1 to 100");
  }

  if (known("serviceAccount")) {
    const account = props.serviceAccount;
    if (typeof account !== "string" || !SERVICE_ACCOUNT_EMAIL.test(account)) {
      fail(
        "serviceAccount",
        "use a service account email such as runtime@project.iam.gserviceaccount.com",
      );
    }
  }

  if (known("kmsKeyName")) {
    const match = KMS_KEY_NAME.exec(String(props.kmsKeyName));
    if (match === null) {
      fail(
        "kmsKeyName",
        "use projects/{project}/locations/{region}/keyRings/{ring}/cryptoKeys/{key}",
      );
    } else if (known("region") && match[1] !== props.region) {
      fail("kmsKeyName", `Vertex AI needs a key in the model's region ${String(props.region)}`);
    }
  }

  if (known("labels")) {
    const labels = props.labels;
    if (typeof labels !== "object" || labels === null || Array.isArray(labels)) {
      fail("labels", "use a map of label keys to values");
    } else {
      const entries = Object.entries(labels as Record<string, unknown>);
      if (entries.length > MAX_USER_LABELS) {
        failures.push({
          property: "labels",
          reason: `${entries.length} labels are too many; use at most ${MAX_USER_LABELS}`,
        });
      }
      for (const [key, value] of entries) {
        if (key === MARKER_LABEL) {
          failures.push({
            property: `labels.${key}`,
            reason: "is reserved for the deployment marker",
          });
        } else if (!LABEL_KEY.test(key)) {
          failures.push({
            property: `labels.${key}`,
            reason:
              "is not a valid key; use lowercase letters, digits, _ and -, starting with a letter",
          });
        } else if (
          value !== UNKNOWN_VALUE &&
          (typeof value !== "string" || !LABEL_VALUE.test(value))
        ) {
          failures.push({
            property: `labels.${key}`,
            reason: `${JSON.stringify(value)} is not allowed; use at most 63 lowercase letters, digits, _ and -`,
          });
        }
      }
    }
  }

  if (known("apiEndpoint")) {
    let url: URL | undefined;
    try {
      url = new URL(String(props.apiEndpoint));
    } catch {
      url = undefined;
    }
    const secure =
      url !== undefined &&
      (url.protocol === "https:" ||
        (url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname)));
    if (!secure) {
      fail("apiEndpoint", "use an https:// URL (plain http only to a loopback address)");
    }
  }
  return failures;
}

/** The inputs with defaults applied; throws one error listing every problem. */
export function normalizeInputs(props: Record<string, unknown>): DeploymentInputs {
  const failures = validateDeploymentInputs(props);
  if (failures.length > 0) {
    const lines = failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
    throw new Error(`invalid Vertex AI model deployment: ${lines}`);
  }
  const region = props.region as string;
  const inputs: DeploymentInputs = {
    project: props.project as string,
    region,
    endpointId: props.endpointId as string,
    displayName: props.displayName as string,
    artifactUri: props.artifactUri as string,
    servingImage: props.servingImage as string,
    machineType: props.machineType as string,
    minReplicas: props.minReplicas as number,
    maxReplicas: props.maxReplicas as number,
    targetCpuUtilizationPercent:
      (props.targetCpuUtilizationPercent as number | undefined) ??
      DEFAULT_TARGET_CPU_UTILIZATION_PERCENT,
    labels: { ...((props.labels as Record<string, string> | undefined) ?? {}) },
    apiEndpoint: (
      (props.apiEndpoint as string | undefined) ?? `https://${region}-aiplatform.googleapis.com`
    ).replace(/\/+$/, ""),
  };
  if (props.acceleratorType !== undefined) inputs.acceleratorType = props.acceleratorType as string;
  if (props.acceleratorCount !== undefined)
    inputs.acceleratorCount = props.acceleratorCount as number;
  if (props.serviceAccount !== undefined) inputs.serviceAccount = props.serviceAccount as string;
  if (props.kmsKeyName !== undefined) inputs.kmsKeyName = props.kmsKeyName as string;
  return inputs;
}

/** The endpoint's full name, from its full name or its id. */
export function endpointResourceName(inputs: {
  project: string;
  region: string;
  endpointId: string;
}): string {
  return inputs.endpointId.startsWith("projects/")
    ? inputs.endpointId
    : `projects/${inputs.project}/locations/${inputs.region}/endpoints/${inputs.endpointId}`;
}

/**
 * A hash of everything that identifies one deployment's model: what would replace it. The model
 * carries it as a label, so a retried create finds the model an interrupted create uploaded, and
 * a replacement with other inputs never picks up the model it replaces.
 */
export function requestMarker(inputs: DeploymentInputs): string {
  const identity = [
    inputs.project,
    inputs.region,
    endpointResourceName(inputs),
    inputs.displayName,
    inputs.artifactUri,
    inputs.servingImage,
    inputs.machineType,
    inputs.acceleratorType ?? "",
    inputs.acceleratorCount ?? 0,
    inputs.serviceAccount ?? "",
    inputs.kmsKeyName ?? "",
  ];
  return createHash("sha256")
    .update(JSON.stringify(identity))
    .digest("hex")
    .slice(0, MARKER_LENGTH);
}

/** The last segment of a model name, without a `@version` suffix: names may use project numbers. */
function modelIdOf(modelName: string): string {
  return (modelName.split("/").pop() ?? modelName).split("@")[0];
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function userLabels(model: Model): Record<string, string> {
  const labels = { ...(model.labels ?? {}) };
  delete labels[MARKER_LABEL];
  return labels;
}

function comparable(props: Record<string, unknown>, field: string): string {
  const value = props[field];
  if (
    field === "endpointId" &&
    typeof props.project === "string" &&
    typeof props.region === "string"
  ) {
    if (typeof value === "string" && value !== UNKNOWN_VALUE) {
      return endpointResourceName({
        project: props.project,
        region: props.region,
        endpointId: value,
      });
    }
  }
  if (field === "targetCpuUtilizationPercent") {
    return JSON.stringify(value ?? DEFAULT_TARGET_CPU_UTILIZATION_PERCENT);
  }
  if (field === "labels") {
    const labels = (value ?? {}) as Record<string, unknown>;
    return JSON.stringify(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]]),
    );
  }
  if (field === "apiEndpoint") {
    const root = value ?? `https://${String(props.region)}-aiplatform.googleapis.com`;
    return typeof root === "string" ? root.replace(/\/+$/, "") : JSON.stringify(root);
  }
  return JSON.stringify(value ?? null);
}

/**
 * Which changes replace the deployment and which update it in place. A replacement with other
 * inputs creates the new deployment first (its model carries another marker) and so moves traffic
 * without downtime; a forced replacement with the same inputs deletes first, since the new
 * deployment would otherwise adopt the old one's model and lose it when the old one is deleted.
 */
export function deploymentDiff(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): pulumi.dynamic.DiffResult {
  const replaces = REPLACE_FIELDS.filter((f) => comparable(olds, f) !== comparable(news, f));
  const updates = UPDATE_FIELDS.filter((f) => comparable(olds, f) !== comparable(news, f));
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length === 0,
  };
}

interface Settings {
  accessToken: () => Promise<string>;
  timeouts: OperationTimeouts;
  pollInitialDelayMs: number;
  pollMaxDelayMs: number;
  requestTimeoutMs: number;
}

/** What the default token source needs; `configure` fills `stackConfig`. */
interface AuthSettings {
  /** The gcp provider's credential keys from the stack config, once `configure` has run. */
  stackConfig: Record<string, string | undefined>;
  iamCredentialsEndpoint: string;
}

/** The stack config keys of the gcp provider that say how it authenticates. */
export const GCP_CREDENTIAL_KEYS = {
  accessToken: "gcp:accessToken",
  credentials: "gcp:credentials",
  impersonateServiceAccount: "gcp:impersonateServiceAccount",
  impersonateServiceAccountDelegates: "gcp:impersonateServiceAccountDelegates",
} as const;

/** Environment variables the gcp provider reads a key file from, first set first. */
const CREDENTIALS_ENV = ["GOOGLE_CREDENTIALS", "GOOGLE_CLOUD_KEYFILE_JSON", "GCLOUD_KEYFILE_JSON"];
const ACCESS_TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN";
const IMPERSONATE_ENV = "GOOGLE_IMPERSONATE_SERVICE_ACCOUNT";

/** Where the deployment's Google credentials come from. */
export interface GoogleCredentials {
  /**
   * An OAuth 2.0 access token, a service account key file (its path or its JSON), or Application
   * Default Credentials.
   */
  source:
    | { kind: "accessToken"; value: string; from: string }
    | { kind: "credentials"; value: string; from: string }
    | { kind: "applicationDefault" };
  /** The service account every call is made as, through the source's identity. */
  impersonate?: { serviceAccount: string; delegates: string[] };
}

function firstSet(
  env: Record<string, string | undefined>,
  names: readonly string[],
): { value: string; from: string } | undefined {
  const name = names.find((n) => (env[n] ?? "") !== "");
  return name === undefined ? undefined : { value: env[name] as string, from: name };
}

/**
 * The credentials the gcp provider would use with the same stack config and environment, in its
 * order (terraform-provider-google `provider.go` and `transport/config.go`, which Pulumi's gcp
 * provider wraps): `gcp:accessToken` or `gcp:credentials` from the config; only when neither is
 * set, `GOOGLE_CREDENTIALS` (then `GOOGLE_CLOUD_KEYFILE_JSON`, `GCLOUD_KEYFILE_JSON`) and
 * `GOOGLE_OAUTH_ACCESS_TOKEN`; an access token wins over a key file; with neither, Application
 * Default Credentials. `gcp:impersonateServiceAccount` (or `GOOGLE_IMPERSONATE_SERVICE_ACCOUNT`)
 * and its delegates apply on top of any of them.
 */
export function resolveCredentials(
  stackConfig: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
): GoogleCredentials {
  const configured = (key: string): { value: string; from: string } | undefined => {
    const value = stackConfig[key];
    return value === undefined || value === "" ? undefined : { value, from: key };
  };
  let token = configured(GCP_CREDENTIAL_KEYS.accessToken);
  let keyFile = configured(GCP_CREDENTIAL_KEYS.credentials);
  if (token === undefined && keyFile === undefined) {
    keyFile = firstSet(env, CREDENTIALS_ENV);
    token = firstSet(env, [ACCESS_TOKEN_ENV]);
  }
  const credentials: GoogleCredentials = {
    source:
      token !== undefined
        ? { kind: "accessToken", ...token }
        : keyFile !== undefined
          ? { kind: "credentials", ...keyFile }
          : { kind: "applicationDefault" },
  };
  const impersonate =
    configured(GCP_CREDENTIAL_KEYS.impersonateServiceAccount) ?? firstSet(env, [IMPERSONATE_ENV]);
  if (impersonate !== undefined) {
    const delegates = stackConfig[GCP_CREDENTIAL_KEYS.impersonateServiceAccountDelegates];
    credentials.impersonate = {
      serviceAccount: impersonate.value,
      delegates: delegates === undefined || delegates === "" ? [] : JSON.parse(delegates),
    };
  }
  return credentials;
}

/** A value the gcp provider takes as a file path or as the contents itself. */
async function pathOrContents(value: string): Promise<string> {
  const { existsSync, readFileSync } = await import("node:fs");
  return existsSync(value) ? readFileSync(value, "utf8").trim() : value;
}

/** An OAuth 2.0 access token source for the credentials; google-auth-library is loaded here. */
async function googleTokenSource(
  credentials: GoogleCredentials,
  iamCredentialsEndpoint: string,
): Promise<() => Promise<string>> {
  const { GoogleAuth, Impersonated, OAuth2Client } = await import("google-auth-library");
  const { source } = credentials;
  let client: import("google-auth-library").AuthClient;
  if (source.kind === "accessToken") {
    const token = await pathOrContents(source.value);
    if (credentials.impersonate === undefined) return async () => token;
    const tokenClient = new OAuth2Client();
    tokenClient.setCredentials({ access_token: token });
    client = tokenClient;
  } else if (source.kind === "credentials") {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(await pathOrContents(source.value)) as Record<string, unknown>;
    } catch {
      // The value is a secret: the message names where it came from, never what it holds.
      throw new Error(
        `${source.from} is neither a readable key file nor the JSON of a service account key`,
      );
    }
    client = await new GoogleAuth({
      credentials: parsed,
      scopes: [CLOUD_PLATFORM_SCOPE],
    }).getClient();
  } else {
    client = await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient();
  }
  if (credentials.impersonate !== undefined) {
    client = new Impersonated({
      sourceClient: client,
      targetPrincipal: credentials.impersonate.serviceAccount,
      delegates: credentials.impersonate.delegates,
      targetScopes: [CLOUD_PLATFORM_SCOPE],
      endpoint: iamCredentialsEndpoint,
    });
  }
  const authClient = client;
  return async () => {
    const { token } = await authClient.getAccessToken();
    if (token === null || token === undefined || token === "") {
      throw new Error("the Google credentials returned no access token");
    }
    return token;
  };
}

/**
 * The credentials of the gcp provider (see `resolveCredentials`), read from the stack config the
 * engine passes to `configure` and from the environment of the provider's process when first
 * needed (never while planning).
 */
function googleAccessToken(auth: AuthSettings): () => Promise<string> {
  let source: Promise<() => Promise<string>> | undefined;
  return async () => {
    source ??= googleTokenSource(
      resolveCredentials(auth.stackConfig, process.env),
      auth.iamCredentialsEndpoint,
    );
    return (await source)();
  };
}

function clientFor(settings: Settings, inputs: { apiEndpoint: string }): VertexClient {
  return vertexClient({
    baseUrl: inputs.apiEndpoint,
    accessToken: settings.accessToken,
    requestTimeoutMs: settings.requestTimeoutMs,
  });
}

/**
 * Starts a long-running operation and waits, polling, for its result within `timeoutMs`; the
 * operation's name comes back with it, for the messages that name it.
 */
async function operate<Result>(
  client: VertexClient,
  settings: Settings,
  request: Parameters<VertexClient["send"]>[0],
  timeoutMs: number,
): Promise<{ operation: string; result: Result }> {
  const started = await client.send<Operation<Result>>(request);
  const result = await waitForOperation(client, started, request.subject, {
    timeoutMs,
    initialDelayMs: settings.pollInitialDelayMs,
    maxDelayMs: settings.pollMaxDelayMs,
  });
  return { operation: started.name, result };
}

/** Waits for `work`, where a resource that is already gone is fine. */
async function unlessGone(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!isStatus(err, "NOT_FOUND")) throw err;
  }
}

function isStatus(err: unknown, status: string): boolean {
  return isVertexApiError(err) && err.status === status;
}

function endpointSubject(endpointName: string, method: string): CallSubject {
  return { method, resource: `endpoint ${endpointName}` };
}

async function getEndpoint(
  client: VertexClient,
  endpointName: string,
): Promise<Endpoint | undefined> {
  try {
    return await client.send<Endpoint>({
      httpMethod: "GET",
      path: endpointName,
      subject: endpointSubject(endpointName, "endpoints.get"),
    });
  } catch (err) {
    if (isStatus(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

function deploymentOf(endpoint: Endpoint, modelName: string): DeployedModel | undefined {
  const id = modelIdOf(modelName);
  return (endpoint.deployedModels ?? []).find((dm) => modelIdOf(dm.model) === id);
}

async function findMarkedModel(
  client: VertexClient,
  inputs: DeploymentInputs,
  marker: string,
): Promise<Model | undefined> {
  const parent = `projects/${inputs.project}/locations/${inputs.region}`;
  let pageToken = "";
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const query: Record<string, string> = {
      filter: `labels.${MARKER_LABEL}="${marker}"`,
      pageSize: LIST_PAGE_SIZE,
    };
    if (pageToken !== "") query.pageToken = pageToken;
    const listed = await client.send<ListModelsResponse>({
      httpMethod: "GET",
      path: `${parent}/models`,
      query,
      subject: { method: "models.list", resource: `models in ${parent}` },
    });
    const found = (listed.models ?? []).find((m) => m.labels?.[MARKER_LABEL] === marker);
    if (found !== undefined) return found;
    pageToken = listed.nextPageToken ?? "";
    if (pageToken === "") return undefined;
  }
  return undefined;
}

async function uploadModel(
  client: VertexClient,
  settings: Settings,
  inputs: DeploymentInputs,
  marker: string,
): Promise<string> {
  const parent = `projects/${inputs.project}/locations/${inputs.region}`;
  const subject = { method: "models.upload", resource: `model ${inputs.displayName} in ${parent}` };
  const model: Omit<Model, "name"> = {
    displayName: inputs.displayName,
    artifactUri: inputs.artifactUri,
    containerSpec: { imageUri: inputs.servingImage },
    labels: { ...inputs.labels, [MARKER_LABEL]: marker },
  };
  if (inputs.kmsKeyName !== undefined) model.encryptionSpec = { kmsKeyName: inputs.kmsKeyName };
  const { operation, result: uploaded } = await operate<UploadModelResponse>(
    client,
    settings,
    { httpMethod: "POST", path: `${parent}/models:upload`, body: { model }, subject },
    settings.timeouts.uploadMs,
  );
  if (typeof uploaded.model !== "string" || uploaded.model === "") {
    throw vertexApiError(
      `Vertex AI models.upload of ${subject.resource} failed: operation ${operation} returned no model name.`,
      "UNKNOWN",
      { operationName: operation },
    );
  }
  return uploaded.model;
}

async function patchModelLabels(
  client: VertexClient,
  modelName: string,
  labels: Record<string, string>,
  marker: string,
): Promise<void> {
  await client.send<Model>({
    httpMethod: "PATCH",
    path: modelName,
    query: { updateMask: "labels" },
    body: { labels: { ...labels, [MARKER_LABEL]: marker } },
    subject: { method: "models.patch", resource: `model ${modelName}` },
  });
}

function dedicatedResources(inputs: DeploymentInputs): Record<string, unknown> {
  const machineSpec: Record<string, unknown> = { machineType: inputs.machineType };
  if (inputs.acceleratorType !== undefined) {
    machineSpec.acceleratorType = inputs.acceleratorType;
    machineSpec.acceleratorCount = inputs.acceleratorCount;
  }
  return {
    machineSpec,
    minReplicaCount: inputs.minReplicas,
    maxReplicaCount: inputs.maxReplicas,
    autoscalingMetricSpecs: [
      { metricName: CPU_UTILIZATION_METRIC, target: inputs.targetCpuUtilizationPercent },
    ],
  };
}

function cpuTarget(deployed: DeployedModel): number {
  const spec = deployed.dedicatedResources?.autoscalingMetricSpecs?.find(
    (s) => s.metricName === CPU_UTILIZATION_METRIC,
  );
  return spec?.target ?? DEFAULT_TARGET_CPU_UTILIZATION_PERCENT;
}

function scalingMatches(deployed: DeployedModel, inputs: DeploymentInputs): boolean {
  const resources = deployed.dedicatedResources;
  return (
    resources !== undefined &&
    resources.minReplicaCount === inputs.minReplicas &&
    (resources.maxReplicaCount ?? resources.minReplicaCount) === inputs.maxReplicas &&
    cpuTarget(deployed) === inputs.targetCpuUtilizationPercent
  );
}

async function deployModel(
  client: VertexClient,
  settings: Settings,
  inputs: DeploymentInputs,
  endpointName: string,
  modelName: string,
): Promise<DeployedModel> {
  const subject = {
    method: "endpoints.deployModel",
    resource: `model ${modelName} onto endpoint ${endpointName}`,
  };
  const deployedModel: Record<string, unknown> = {
    model: modelName,
    displayName: inputs.displayName,
    dedicatedResources: dedicatedResources(inputs),
  };
  if (inputs.serviceAccount !== undefined) deployedModel.serviceAccount = inputs.serviceAccount;
  const { operation, result } = await operate<DeployModelResponse>(
    client,
    settings,
    {
      httpMethod: "POST",
      path: `${endpointName}:deployModel`,
      body: { deployedModel, trafficSplit: { "0": 100 } },
      subject,
    },
    settings.timeouts.deployMs,
  );
  if (result.deployedModel?.id !== undefined) return result.deployedModel;
  const endpoint = await getEndpoint(client, endpointName);
  const deployed = endpoint === undefined ? undefined : deploymentOf(endpoint, modelName);
  if (deployed?.id === undefined) {
    throw vertexApiError(
      `Vertex AI endpoints.deployModel of ${subject.resource} failed: operation ${operation} finished but the endpoint does not list the model.`,
      "UNKNOWN",
      { operationName: operation },
    );
  }
  return deployed;
}

async function mutateDeployment(
  client: VertexClient,
  settings: Settings,
  inputs: DeploymentInputs,
  endpointName: string,
  deployedModelId: string,
): Promise<void> {
  const subject = {
    method: "endpoints.mutateDeployedModel",
    resource: `deployed model ${deployedModelId} on endpoint ${endpointName}`,
  };
  await operate(
    client,
    settings,
    {
      httpMethod: "POST",
      path: `${endpointName}:mutateDeployedModel`,
      body: {
        deployedModel: { id: deployedModelId, dedicatedResources: dedicatedResources(inputs) },
        updateMask: [
          "dedicatedResources.minReplicaCount",
          "dedicatedResources.maxReplicaCount",
          "dedicatedResources.autoscalingMetricSpecs",
        ].join(","),
      },
      subject,
    },
    settings.timeouts.mutateMs,
  );
}

/**
 * The traffic split once `deployedModelId` is gone, or `undefined` when the API needs none: the
 * model has no traffic, or it is the last one. Its share goes to the others in proportion to
 * theirs, or all to the newest when they have none.
 */
export function trafficWithout(
  endpoint: Endpoint,
  deployedModelId: string,
): Record<string, number> | undefined {
  const split = endpoint.trafficSplit ?? {};
  const others = (endpoint.deployedModels ?? []).filter((dm) => dm.id !== deployedModelId);
  if ((split[deployedModelId] ?? 0) === 0 || others.length === 0) return undefined;
  const ids = others.map((dm) => dm.id ?? "");
  const total = ids.reduce((sum, id) => sum + (split[id] ?? 0), 0);
  const result: Record<string, number> = {};
  if (total === 0) {
    const newest = [...others].sort((a, b) =>
      (b.createTime ?? "").localeCompare(a.createTime ?? ""),
    )[0];
    for (const id of ids) result[id] = id === newest.id ? 100 : 0;
    return result;
  }
  for (const id of ids) result[id] = Math.floor(((split[id] ?? 0) * 100) / total);
  const largest = ids.reduce(
    (best, id) => ((split[id] ?? 0) > (split[best] ?? 0) ? id : best),
    ids[0],
  );
  result[largest] += 100 - ids.reduce((sum, id) => sum + result[id], 0);
  return result;
}

/** Undeploys a model; a deployment (or endpoint) that is already gone is fine. */
async function undeploy(
  client: VertexClient,
  settings: Settings,
  endpointName: string,
  endpoint: Endpoint,
  deployedModelId: string,
): Promise<void> {
  const subject = {
    method: "endpoints.undeployModel",
    resource: `deployed model ${deployedModelId} on endpoint ${endpointName}`,
  };
  const body: Record<string, unknown> = { deployedModelId };
  const split = trafficWithout(endpoint, deployedModelId);
  if (split !== undefined) body.trafficSplit = split;
  await unlessGone(
    operate(
      client,
      settings,
      { httpMethod: "POST", path: `${endpointName}:undeployModel`, body, subject },
      settings.timeouts.undeployMs,
    ),
  );
}

/** Deletes a model from the registry; a model that is already gone is fine. */
async function deleteModel(
  client: VertexClient,
  settings: Settings,
  modelName: string,
): Promise<void> {
  const subject = { method: "models.delete", resource: `model ${modelName}` };
  await unlessGone(
    operate(
      client,
      settings,
      { httpMethod: "DELETE", path: modelName, subject },
      settings.timeouts.deleteModelMs,
    ),
  );
}

async function cancelOperation(client: VertexClient, operationName: string): Promise<void> {
  await client.send<unknown>({
    httpMethod: "POST",
    path: `${operationName}:cancel`,
    subject: { method: "operations.cancel", resource: `operation ${operationName}` },
  });
}

/**
 * Undoes a create that failed after the model was uploaded (or found): cancels a timed-out
 * operation, undeploys the model if it got deployed, and deletes it. Returns the error to report:
 * the cause, and what became of the model.
 */
async function rollBack(
  client: VertexClient,
  settings: Settings,
  cause: unknown,
  endpointName: string,
  modelName: string,
): Promise<Error> {
  const reason = cause instanceof Error ? cause.message : String(cause);
  try {
    if (
      isStatus(cause, "DEADLINE_EXCEEDED") &&
      (cause as VertexApiError).operationName !== undefined
    ) {
      await cancelOperation(client, (cause as VertexApiError).operationName as string).catch(
        () => undefined,
      );
    }
    const endpoint = await getEndpoint(client, endpointName);
    const deployed = endpoint === undefined ? undefined : deploymentOf(endpoint, modelName);
    if (endpoint !== undefined && deployed?.id !== undefined) {
      await undeploy(client, settings, endpointName, endpoint, deployed.id);
    }
    await deleteModel(client, settings, modelName);
  } catch (cleanup) {
    const detail = cleanup instanceof Error ? cleanup.message : String(cleanup);
    return new Error(
      `${reason} Cleaning up also failed: ${detail} The model ${modelName} is left in the Model Registry: the next pulumi up reuses it, or delete it with gcloud ai models delete.`,
    );
  }
  return new Error(
    `${reason} The model ${modelName} uploaded for this deployment was deleted; nothing is left behind.`,
  );
}

function stateOf(
  inputs: DeploymentInputs,
  assigned: Omit<DeploymentState, keyof DeploymentInputs>,
): DeploymentState {
  return { ...inputs, ...assigned };
}

function deploymentId(endpointName: string, deployedModelId: string): string {
  return `${endpointName}/deployedModels/${deployedModelId}`;
}

async function createDeployment(
  settings: Settings,
  inputs: DeploymentInputs,
): Promise<pulumi.dynamic.CreateResult<DeploymentState>> {
  const client = clientFor(settings, inputs);
  const endpointName = endpointResourceName(inputs);
  const marker = requestMarker(inputs);
  const endpoint = await getEndpoint(client, endpointName);
  if (endpoint === undefined) {
    throw vertexApiError(
      `Vertex AI endpoints.get of endpoint ${endpointName} failed: NOT_FOUND: the endpoint does not exist; create it before deploying a model onto it.`,
      "NOT_FOUND",
    );
  }
  const found = await findMarkedModel(client, inputs, marker);
  const modelName = found?.name ?? (await uploadModel(client, settings, inputs, marker));
  let deployed = deploymentOf(endpoint, modelName);
  try {
    if (found !== undefined && !sameLabels(userLabels(found), inputs.labels)) {
      await patchModelLabels(client, modelName, inputs.labels, marker);
    }
    if (deployed?.id === undefined) {
      deployed = await deployModel(client, settings, inputs, endpointName, modelName);
    } else if (!scalingMatches(deployed, inputs)) {
      await mutateDeployment(client, settings, inputs, endpointName, deployed.id);
    }
  } catch (err) {
    throw await rollBack(client, settings, err, endpointName, modelName);
  }
  const deployedModelId = deployed.id as string;
  return {
    id: deploymentId(endpointName, deployedModelId),
    outs: stateOf(inputs, {
      endpointName,
      modelName,
      modelId: modelIdOf(modelName),
      deployedModelId,
      requestMarker: marker,
    }),
  };
}

async function readDeployment(
  settings: Settings,
  id: string,
  props: DeploymentState,
): Promise<pulumi.dynamic.ReadResult<DeploymentState>> {
  const client = clientFor(settings, props);
  const endpoint = await getEndpoint(client, props.endpointName);
  const deployed = (endpoint?.deployedModels ?? []).find((dm) => dm.id === props.deployedModelId);
  if (deployed === undefined) return {};
  try {
    await client.send<Model>({
      httpMethod: "GET",
      path: props.modelName,
      subject: { method: "models.get", resource: `model ${props.modelName}` },
    });
  } catch (err) {
    if (isStatus(err, "NOT_FOUND")) return {};
    throw err;
  }
  const live: DeploymentState = { ...props, targetCpuUtilizationPercent: cpuTarget(deployed) };
  const resources = deployed.dedicatedResources;
  if (resources !== undefined) {
    live.machineType = resources.machineSpec.machineType;
    live.minReplicas = resources.minReplicaCount;
    live.maxReplicas = resources.maxReplicaCount ?? resources.minReplicaCount;
    delete live.acceleratorType;
    delete live.acceleratorCount;
    if (resources.machineSpec.acceleratorType !== undefined) {
      live.acceleratorType = resources.machineSpec.acceleratorType;
      live.acceleratorCount = resources.machineSpec.acceleratorCount;
    }
  }
  return { id, props: live };
}

async function updateDeployment(
  settings: Settings,
  olds: DeploymentState,
  inputs: DeploymentInputs,
): Promise<pulumi.dynamic.UpdateResult<DeploymentState>> {
  const client = clientFor(settings, inputs);
  if (!sameLabels(olds.labels ?? {}, inputs.labels)) {
    await patchModelLabels(client, olds.modelName, inputs.labels, olds.requestMarker);
  }
  const scalingChanged =
    olds.minReplicas !== inputs.minReplicas ||
    olds.maxReplicas !== inputs.maxReplicas ||
    olds.targetCpuUtilizationPercent !== inputs.targetCpuUtilizationPercent;
  if (scalingChanged) {
    await mutateDeployment(client, settings, inputs, olds.endpointName, olds.deployedModelId);
  }
  return {
    outs: stateOf(inputs, {
      endpointName: olds.endpointName,
      modelName: olds.modelName,
      modelId: olds.modelId,
      deployedModelId: olds.deployedModelId,
      requestMarker: olds.requestMarker,
    }),
  };
}

async function deleteDeployment(settings: Settings, props: DeploymentState): Promise<void> {
  const client = clientFor(settings, props);
  const endpoint = await getEndpoint(client, props.endpointName);
  if (endpoint !== undefined) {
    const deployed =
      (endpoint.deployedModels ?? []).find((dm) => dm.id === props.deployedModelId) ??
      deploymentOf(endpoint, props.modelName);
    if (deployed?.id !== undefined) {
      await undeploy(client, settings, props.endpointName, endpoint, deployed.id);
    }
  }
  await deleteModel(client, settings, props.modelName);
}

/**
 * The provider; the dynamic-provider host calls this with no options. Tests pass `accessToken`
 * (or `iamCredentialsEndpoint`) and short timeouts.
 */
export function vertexDeploymentProvider(
  options: VertexDeploymentProviderOptions = {},
): pulumi.dynamic.ResourceProvider {
  const auth: AuthSettings = {
    stackConfig: {},
    iamCredentialsEndpoint: options.iamCredentialsEndpoint ?? DEFAULT_IAM_CREDENTIALS_ENDPOINT,
  };
  const settings: Settings = {
    accessToken: options.accessToken ?? googleAccessToken(auth),
    timeouts: { ...DEFAULT_TIMEOUTS, ...(options.timeouts ?? {}) },
    pollInitialDelayMs: options.pollInitialDelayMs ?? DEFAULT_POLL_INITIAL_DELAY_MS,
    pollMaxDelayMs: options.pollMaxDelayMs ?? DEFAULT_POLL_MAX_DELAY_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
  return {
    // The engine passes the stack's config to the dynamic providers' host, which hands it here.
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      for (const key of Object.values(GCP_CREDENTIAL_KEYS)) {
        auth.stackConfig[key] = req.config.get(key);
      }
    },
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
      return { inputs: news, failures: validateDeploymentInputs(news) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      return deploymentDiff(olds, news);
    },
    async create(inputs: Record<string, unknown>) {
      return createDeployment(settings, normalizeInputs(inputs));
    },
    async read(id: string, props: DeploymentState) {
      return readDeployment(settings, id, props);
    },
    async update(_id: string, olds: DeploymentState, news: Record<string, unknown>) {
      return updateDeployment(settings, olds, normalizeInputs(news));
    },
    async delete(_id: string, props: DeploymentState) {
      await deleteDeployment(settings, props);
    },
  };
}
