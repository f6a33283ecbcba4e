/**
 * The slice of the Vertex AI v1 REST API that the model deployment provider
 * (`vertexDeploymentProvider.ts`) calls: resource shapes, an authenticated JSON client,
 * long-running operations and error messages. The provider's bundle in the stack state carries
 * this module: it imports nothing and keeps no module state.
 */

/**
 * CPU utilization a deployment scales out above and in below, in percent, where none is given:
 * Vertex AI's own default target.
 */
export const DEFAULT_TARGET_CPU_UTILIZATION_PERCENT = 60;

/** `google.rpc.Status`: the error of a failed call or of a failed long-running operation. */
export interface RpcStatus {
  code?: number;
  message?: string;
  status?: string;
}

/** `google.longrunning.Operation`. */
export interface Operation<Result> {
  name: string;
  done?: boolean;
  error?: RpcStatus;
  response?: Result;
}

interface MachineSpec {
  machineType: string;
  acceleratorType?: string;
  acceleratorCount?: number;
}

interface AutoscalingMetricSpec {
  metricName: string;
  target?: number;
}

interface DedicatedResources {
  machineSpec: MachineSpec;
  minReplicaCount: number;
  maxReplicaCount?: number;
  autoscalingMetricSpecs?: AutoscalingMetricSpec[];
}

export interface DeployedModel {
  id?: string;
  model: string;
  displayName?: string;
  dedicatedResources?: DedicatedResources;
  /** Email of the service account the serving container runs as. */
  serviceAccount?: string;
  createTime?: string;
}

/** The JSON API leaves out empty lists and maps, so every collection here is optional. */
export interface Endpoint {
  name: string;
  deployedModels?: DeployedModel[];
  trafficSplit?: Record<string, number>;
}

export interface Model {
  name: string;
  displayName?: string;
  artifactUri?: string;
  containerSpec?: { imageUri: string };
  labels?: Record<string, string>;
  encryptionSpec?: { kmsKeyName: string };
  deployedModels?: { endpoint: string; deployedModelId: string }[];
}

export interface ListModelsResponse {
  models?: Model[];
  nextPageToken?: string;
}

export interface UploadModelResponse {
  model: string;
  modelVersionId?: string;
}

export interface DeployModelResponse {
  deployedModel: DeployedModel;
}

/** `google.rpc.Code` names by number, for operation errors that carry only the number. */
const RPC_CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

/** HTTP statuses a poll may meet while the service is briefly unavailable; polling goes on. */
const TRANSIENT_HTTP_STATUSES = [429, 500, 502, 503, 504];

const POLL_BACKOFF_FACTOR = 1.5;

/** What a call is for, to name it in errors: `endpoints.deployModel` of `endpoint projects/...`. */
export interface CallSubject {
  /** REST method name, such as `models.upload`. */
  method: string;
  /** The resource acted on, such as `model iris in projects/p/locations/us-central1`. */
  resource: string;
}

/** A failed call or operation, with the status that callers branch on (`NOT_FOUND`...). */
export interface VertexApiError extends Error {
  name: "VertexApiError";
  /** `google.rpc.Code` name, such as `RESOURCE_EXHAUSTED`. */
  status: string;
  /** HTTP status of the refused call; absent for operation errors and network failures. */
  httpStatus?: number;
  /** The long-running operation this error belongs to, when one was started. */
  operationName?: string;
}

/** A `VertexApiError`: a plain `Error` with the status fields set on it. */
export function vertexApiError(
  message: string,
  status: string,
  details: { httpStatus?: number; operationName?: string } = {},
): VertexApiError {
  const error = new Error(message) as VertexApiError;
  error.name = "VertexApiError";
  error.status = status;
  if (details.httpStatus !== undefined) error.httpStatus = details.httpStatus;
  if (details.operationName !== undefined) error.operationName = details.operationName;
  return error;
}

/** Whether a thrown value is a `VertexApiError`. */
export function isVertexApiError(err: unknown): err is VertexApiError {
  return (
    err instanceof Error &&
    err.name === "VertexApiError" &&
    typeof (err as Partial<VertexApiError>).status === "string"
  );
}

/** What to do about a status, appended to its message. */
function remedy(status: string): string {
  switch (status) {
    case "RESOURCE_EXHAUSTED":
      return " The project is out of quota for this request: request more Vertex AI quota for the machine or accelerator type in the region, or lower maxReplicas or the accelerator count.";
    case "PERMISSION_DENIED":
      return " The identity running Pulumi needs roles/aiplatform.user on the project and iam.serviceAccounts.actAs (roles/iam.serviceAccountUser) on the deployment's serving service account, and the Vertex AI service agent needs read access to the artifact bucket (and use of the KMS key when one is set).";
    case "UNAUTHENTICATED":
      return " The Google credentials were refused: set the ones the gcp provider uses (gcp:accessToken or gcp:credentials in the stack config, GOOGLE_OAUTH_ACCESS_TOKEN or GOOGLE_CREDENTIALS in the environment), or refresh Application Default Credentials (gcloud auth application-default login).";
    default:
      return "";
  }
}

function statusName(status: RpcStatus, fallback: string): string {
  if (status.status !== undefined && status.status !== "") return status.status;
  if (status.code !== undefined && RPC_CODE_NAMES[status.code] !== undefined) {
    return RPC_CODE_NAMES[status.code];
  }
  return fallback;
}

/** The error of a call the API refused. */
function callError(subject: CallSubject, httpStatus: number, status: RpcStatus): VertexApiError {
  const name = statusName(status, httpStatus === 404 ? "NOT_FOUND" : "UNKNOWN");
  const detail = status.message ?? "no error message";
  return vertexApiError(
    `Vertex AI ${subject.method} of ${subject.resource} failed: ${name} (HTTP ${httpStatus}): ${detail}.${remedy(name)}`,
    name,
    { httpStatus },
  );
}

/** The error of a long-running operation that finished with an error. */
function operationError(
  subject: CallSubject,
  operationName: string,
  status: RpcStatus,
): VertexApiError {
  const name = statusName(status, "UNKNOWN");
  const detail = status.message ?? "no error message";
  return vertexApiError(
    `Vertex AI ${subject.method} of ${subject.resource} failed: operation ${operationName} finished with ${name}: ${detail}.${remedy(name)}`,
    name,
    { operationName },
  );
}

/** `90 min`, `45 s`, `300 ms`: the larger unit that states a duration exactly. */
function formatDuration(milliseconds: number): string {
  if (milliseconds >= 60_000 && milliseconds % 60_000 === 0) return `${milliseconds / 60_000} min`;
  if (milliseconds >= 1000 && milliseconds % 1000 === 0) return `${milliseconds / 1000} s`;
  return `${milliseconds} ms`;
}

interface Request {
  httpMethod: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path below `/v1/`, such as `projects/p/locations/l/models:upload`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  subject: CallSubject;
}

export interface VertexClient {
  /** Sends one request and returns its parsed JSON body; throws `VertexApiError` on failure. */
  send<T>(request: Request): Promise<T>;
}

interface ClientOptions {
  /** Service root, such as `https://us-central1-aiplatform.googleapis.com`. */
  baseUrl: string;
  /** Returns an OAuth 2.0 access token with the cloud-platform scope. */
  accessToken: () => Promise<string>;
  /** Bound on each HTTP request. */
  requestTimeoutMs: number;
}

/** A JSON client for the Vertex AI v1 API that sends a bearer token with every request. */
export function vertexClient(options: ClientOptions): VertexClient {
  const root = options.baseUrl.replace(/\/+$/, "");
  return {
    async send<T>(request: Request): Promise<T> {
      let token: string;
      try {
        token = await options.accessToken();
      } catch (err) {
        throw vertexApiError(
          `Vertex AI ${request.subject.method} of ${request.subject.resource} failed: no Google credentials: ${(err as Error).message}.${remedy("UNAUTHENTICATED")}`,
          "UNAUTHENTICATED",
        );
      }
      const query = new URLSearchParams(request.query ?? {}).toString();
      const url = `${root}/v1/${request.path}${query === "" ? "" : `?${query}`}`;
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.httpMethod,
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
      } catch (err) {
        const failure = err as Error & { cause?: { message?: string } };
        const timedOut = failure.name === "TimeoutError";
        const status = timedOut ? "DEADLINE_EXCEEDED" : "UNAVAILABLE";
        const cause = failure.cause?.message;
        const reason = timedOut
          ? `no answer within ${formatDuration(options.requestTimeoutMs)}`
          : cause === undefined
            ? failure.message
            : `${failure.message} (${cause})`;
        throw vertexApiError(
          `Vertex AI ${request.subject.method} of ${request.subject.resource} failed: ${status}: ${reason} from ${root}.`,
          status,
        );
      }
      const text = await response.text();
      let parsed: unknown = {};
      try {
        parsed = text === "" ? {} : JSON.parse(text);
      } catch {
        parsed = { error: { message: text.slice(0, 500) } };
      }
      if (!response.ok) {
        const status = (parsed as { error?: RpcStatus }).error ?? { message: text.slice(0, 500) };
        throw callError(request.subject, response.status, status);
      }
      return parsed as T;
    },
  };
}

export interface WaitOptions {
  /** Bound on the whole wait. */
  timeoutMs: number;
  /** First pause between polls; each next pause is 1.5 times longer, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function isTransient(err: unknown): boolean {
  if (!isVertexApiError(err)) return false;
  if (err.httpStatus === undefined) {
    return err.status === "UNAVAILABLE" || err.status === "DEADLINE_EXCEEDED";
  }
  return TRANSIENT_HTTP_STATUSES.includes(err.httpStatus);
}

/**
 * Polls a long-running operation (`operations.get`) until it is done, with exponential backoff,
 * and returns its response. A poll that meets a transient error is retried at the next interval.
 * Throws when the operation finishes with an error, and with status `DEADLINE_EXCEEDED` and the
 * operation's name when it is still running after `timeoutMs`.
 */
export async function waitForOperation<Result>(
  client: VertexClient,
  started: Operation<Result>,
  subject: CallSubject,
  wait: WaitOptions,
): Promise<Result> {
  const deadline = Date.now() + wait.timeoutMs;
  let current = started;
  let delay = wait.initialDelayMs;
  while (current.done !== true) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw vertexApiError(
        `Vertex AI ${subject.method} of ${subject.resource} did not finish within ${formatDuration(wait.timeoutMs)}: operation ${started.name} is still running.`,
        "DEADLINE_EXCEEDED",
        { operationName: started.name },
      );
    }
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * POLL_BACKOFF_FACTOR, wait.maxDelayMs);
    try {
      current = await client.send<Operation<Result>>({
        httpMethod: "GET",
        path: started.name,
        subject: { method: "operations.get", resource: `operation ${started.name}` },
      });
    } catch (err) {
      if (!isTransient(err)) throw err;
    }
  }
  if (current.error !== undefined) {
    throw operationError(subject, started.name, current.error);
  }
  return (current.response ?? {}) as Result;
}
