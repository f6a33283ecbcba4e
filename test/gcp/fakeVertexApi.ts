import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  DeployedModel,
  Endpoint,
  Model,
  Operation,
  RpcStatus,
} from "../../components/gcp/vertexApi";

/**
 * A Vertex AI v1 REST API on loopback, speaking the documented shapes: models.upload/list/get/
 * patch/delete, endpoints.get/deployModel/mutateDeployedModel/undeployModel and long-running
 * operations (operations.get/cancel). Like the real service it names what it creates with the
 * project number, leaves empty lists out of its JSON, refuses to delete a deployed model and to
 * undeploy a model that still has traffic. Tests inject refused calls and failing or endless
 * operations, and read every request it received.
 */

export const FAKE_TOKEN = "test-access-token";
export const PROJECT_NUMBER = "123456789012";

export interface RecordedRequest {
  method: string;
  /** Path below `/v1/`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export type OperationKind = "upload" | "deploy" | "mutate" | "undeploy" | "deleteModel";

/** How the next operation of a kind ends instead of succeeding. */
export type OperationOutcome = { error: RpcStatus } | { neverDone: true };

interface PendingOperation {
  operation: Operation<unknown>;
  polls: number;
  outcome?: OperationOutcome;
  cancelled: boolean;
  /** Applies the operation's effect and returns its response. */
  complete: () => unknown;
}

interface InjectedFailure {
  method: string;
  pattern: RegExp;
  httpStatus: number;
  error: RpcStatus;
}

const MAX_BODY_BYTES = 1_000_000;

class HttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function idOf(name: string): string {
  return (name.split("/").pop() ?? name).split("@")[0];
}

export class FakeVertexApi {
  readonly requests: RecordedRequest[] = [];
  /** Models by id. */
  readonly models = new Map<string, Model>();
  /** Endpoints by id. */
  readonly endpoints = new Map<string, Endpoint>();
  /** Polls an operation takes to finish. */
  pollsUntilDone = 2;
  url = "";

  private readonly operations = new Map<string, PendingOperation>();
  private readonly outcomes = new Map<OperationKind, OperationOutcome>();
  private failures: InjectedFailure[] = [];
  /** Service accounts that `generateAccessToken` impersonates, by the caller's token. */
  private impersonations = new Map<string, string>();
  private counter = 1000;
  private server: Server | undefined;

  constructor(readonly region: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        this.reply(res, 500, { error: { code: 500, status: "INTERNAL", message: err.message } });
      });
    });
    this.server.requestTimeout = 5000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets every resource, operation, injected failure and request. */
  reset(): void {
    this.requests.length = 0;
    this.models.clear();
    this.endpoints.clear();
    this.operations.clear();
    this.outcomes.clear();
    this.failures = [];
    this.impersonations.clear();
    this.pollsUntilDone = 2;
  }

  /**
   * Lets a caller holding `sourceToken` impersonate `serviceAccount` through the IAM Service
   * Account Credentials API (`generateAccessToken`), which answers with the token this API takes.
   */
  allowImpersonation(sourceToken: string, serviceAccount: string): void {
    this.impersonations.set(sourceToken, serviceAccount);
  }

  /** An empty endpoint with the given id; returns its name as the service spells it. */
  addEndpoint(id: string): string {
    const name = this.name(`endpoints/${id}`);
    this.endpoints.set(id, { name });
    return name;
  }

  /** A model already in the registry, as an earlier, interrupted run would have left it. */
  addModel(model: Omit<Model, "name">): Model {
    const id = String(this.counter++);
    const created: Model = { ...clone(model), name: this.name(`models/${id}`) };
    this.models.set(id, created);
    return created;
  }

  /** Deploys a model directly, as an earlier, interrupted run would have left it. */
  addDeployment(endpointId: string, modelName: string, deployed: Partial<DeployedModel>): string {
    const endpoint = this.endpoint(endpointId);
    const id = String(this.counter++);
    endpoint.deployedModels = [
      ...(endpoint.deployedModels ?? []),
      { ...clone(deployed), id, model: modelName, createTime: new Date().toISOString() },
    ];
    const model = this.model(idOf(modelName));
    model.deployedModels = [
      ...(model.deployedModels ?? []),
      { endpoint: endpoint.name, deployedModelId: id },
    ];
    return id;
  }

  /** The next call matching `method` and `pattern` (tested against the path) is refused. */
  failRequest(
    method: string,
    pattern: RegExp,
    httpStatus: number,
    status: string,
    message: string,
  ): void {
    this.failures.push({
      method,
      pattern,
      httpStatus,
      error: { code: httpStatus, status, message },
    });
  }

  /** The next operation of `kind` ends this way instead of succeeding. */
  failOperation(kind: OperationKind, outcome: OperationOutcome): void {
    this.outcomes.set(kind, outcome);
  }

  /** Requests as `METHOD path` lines, for asserting the order of calls. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  /** The JSON body of the only request whose path ends with `suffix`. */
  bodyOf(suffix: string): Record<string, unknown> {
    const found = this.requests.filter((r) => r.path.endsWith(suffix));
    if (found.length !== 1) {
      throw new Error(
        `expected one request to *${suffix}, found ${found.length}: ${this.calls().join(", ")}`,
      );
    }
    return found[0].body as Record<string, unknown>;
  }

  private name(rest: string): string {
    return `projects/${PROJECT_NUMBER}/locations/${this.region}/${rest}`;
  }

  private endpoint(id: string): Endpoint {
    const endpoint = this.endpoints.get(id);
    if (endpoint === undefined) {
      throw new HttpError(404, "NOT_FOUND", `Endpoint ${this.name(`endpoints/${id}`)} not found.`);
    }
    return endpoint;
  }

  private model(id: string): Model {
    const model = this.models.get(id);
    if (model === undefined) {
      throw new HttpError(404, "NOT_FOUND", `Model ${this.name(`models/${id}`)} not found.`);
    }
    return model;
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(body));
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new HttpError(400, "INVALID_ARGUMENT", "request too large");
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    return text === "" ? undefined : JSON.parse(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = decodeURIComponent(url.pathname).replace(/^\/v1\//, "");
    const method = req.method ?? "GET";
    const body = await this.readBody(req);
    this.requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
    });
    try {
      const impersonation = /^projects\/-\/serviceAccounts\/([^/]+):generateAccessToken$/.exec(
        path,
      );
      if (method === "POST" && impersonation !== null) {
        const caller = (req.headers.authorization ?? "").replace(/^Bearer /, "");
        if (this.impersonations.get(caller) !== impersonation[1]) {
          throw new HttpError(
            403,
            "PERMISSION_DENIED",
            "Permission 'iam.serviceAccounts.getAccessToken' denied",
          );
        }
        const expireTime = new Date(Date.now() + 3_600_000).toISOString();
        this.reply(res, 200, { accessToken: FAKE_TOKEN, expireTime });
        return;
      }
      if (req.headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
        throw new HttpError(
          401,
          "UNAUTHENTICATED",
          "Request had invalid authentication credentials.",
        );
      }
      const injected = this.failures.findIndex((f) => f.method === method && f.pattern.test(path));
      if (injected >= 0) {
        const [failure] = this.failures.splice(injected, 1);
        this.reply(res, failure.httpStatus, { error: failure.error });
        return;
      }
      this.reply(res, 200, this.route(method, path, url.searchParams, body));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      this.reply(res, err.httpStatus, {
        error: { code: err.httpStatus, message: err.message, status: err.status },
      });
    }
  }

  private route(method: string, path: string, query: URLSearchParams, body: unknown): unknown {
    const location = /^projects\/[^/]+\/locations\/([^/]+)\/(.*)$/.exec(path);
    if (location === null) throw new HttpError(404, "NOT_FOUND", `no route for ${path}`);
    if (location[1] !== this.region) {
      throw new HttpError(400, "INVALID_ARGUMENT", `location ${location[1]} is not served here`);
    }
    const rest = location[2];
    let match: RegExpExecArray | null;
    if ((match = /\/operations\/([^/:]+)(:cancel)?$/.exec(rest)) !== null) {
      return match[2] === undefined
        ? this.getOperation(path)
        : this.cancelOperation(path.replace(/:cancel$/, ""));
    }
    if (rest === "models:upload" && method === "POST") return this.upload(body);
    if (rest === "models" && method === "GET") return this.listModels(query);
    if ((match = /^models\/([^/:]+)$/.exec(rest)) !== null) {
      if (method === "GET") return clone(this.model(match[1]));
      if (method === "PATCH") return this.patchModel(match[1], query, body);
      if (method === "DELETE") return this.deleteModel(match[1]);
    }
    if ((match = /^endpoints\/([^/:]+)$/.exec(rest)) !== null && method === "GET") {
      return this.getEndpoint(match[1]);
    }
    if (
      (match = /^endpoints\/([^/:]+):(deployModel|mutateDeployedModel|undeployModel)$/.exec(
        rest,
      )) !== null
    ) {
      if (method !== "POST")
        throw new HttpError(404, "NOT_FOUND", `no route for ${method} ${path}`);
      const request = (body ?? {}) as Record<string, unknown>;
      if (match[2] === "deployModel") return this.deploy(match[1], request);
      if (match[2] === "mutateDeployedModel") return this.mutate(match[1], request);
      return this.undeploy(match[1], request);
    }
    throw new HttpError(404, "NOT_FOUND", `no route for ${method} ${path}`);
  }

  private startOperation(
    kind: OperationKind,
    parent: string,
    complete: () => unknown,
  ): Operation<unknown> {
    const name = `${parent}/operations/${this.counter++}`;
    const operation: Operation<unknown> = { name };
    const outcome = this.outcomes.get(kind);
    this.outcomes.delete(kind);
    this.operations.set(name, { operation, polls: 0, outcome, cancelled: false, complete });
    return clone(operation);
  }

  private getOperation(name: string): Operation<unknown> {
    const pending = this.operations.get(name);
    if (pending === undefined)
      throw new HttpError(404, "NOT_FOUND", `Operation ${name} not found.`);
    pending.polls += 1;
    const op = pending.operation;
    if (op.done !== true) {
      if (pending.cancelled) {
        op.done = true;
        op.error = { code: 1, message: "Operation was cancelled." };
      } else if (pending.outcome !== undefined && "error" in pending.outcome) {
        op.done = pending.polls >= this.pollsUntilDone;
        if (op.done) op.error = pending.outcome.error;
      } else if (pending.outcome === undefined && pending.polls >= this.pollsUntilDone) {
        op.response = pending.complete();
        op.done = true;
      }
    }
    return clone(op);
  }

  private cancelOperation(name: string): Record<string, never> {
    const pending = this.operations.get(name);
    if (pending === undefined)
      throw new HttpError(404, "NOT_FOUND", `Operation ${name} not found.`);
    pending.cancelled = true;
    return {};
  }

  private upload(body: unknown): Operation<unknown> {
    const model = (body as { model?: Model } | undefined)?.model;
    if (model?.displayName === undefined || model.containerSpec?.imageUri === undefined) {
      throw new HttpError(
        400,
        "INVALID_ARGUMENT",
        "model.displayName and model.containerSpec.imageUri are required",
      );
    }
    const id = String(this.counter++);
    const name = this.name(`models/${id}`);
    return this.startOperation("upload", `${name}`, () => {
      this.models.set(id, { ...clone(model), name });
      return {
        "@type": "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse",
        model: name,
        modelVersionId: "1",
      };
    });
  }

  private listModels(query: URLSearchParams): unknown {
    const filter = query.get("filter") ?? "";
    const label = /^labels\.([a-z0-9_]+)="([^"]*)"$/.exec(filter);
    if (filter !== "" && label === null) {
      throw new HttpError(400, "INVALID_ARGUMENT", `Unsupported filter: ${filter}`);
    }
    const models = [...this.models.values()].filter(
      (m) => label === null || m.labels?.[label[1]] === label[2],
    );
    return models.length === 0 ? {} : { models: clone(models) };
  }

  private patchModel(id: string, query: URLSearchParams, body: unknown): Model {
    const model = this.model(id);
    if (query.get("updateMask") !== "labels") {
      throw new HttpError(400, "INVALID_ARGUMENT", "only updateMask=labels is supported");
    }
    model.labels = clone((body as { labels: Record<string, string> }).labels);
    return clone(model);
  }

  private deleteModel(id: string): Operation<unknown> {
    const model = this.model(id);
    if ((model.deployedModels ?? []).length > 0) {
      throw new HttpError(
        400,
        "FAILED_PRECONDITION",
        `The Model "${model.name}" is deployed or being deployed at the following Endpoint(s): ${model.deployedModels?.map((d) => d.endpoint).join(", ")}.`,
      );
    }
    return this.startOperation("deleteModel", model.name, () => {
      this.models.delete(id);
      return { "@type": "type.googleapis.com/google.protobuf.Empty" };
    });
  }

  private getEndpoint(id: string): Endpoint {
    const endpoint = clone(this.endpoint(id));
    if ((endpoint.deployedModels ?? []).length === 0) delete endpoint.deployedModels;
    if (Object.keys(endpoint.trafficSplit ?? {}).length === 0) delete endpoint.trafficSplit;
    return endpoint;
  }

  private deploy(endpointId: string, request: Record<string, unknown>): Operation<unknown> {
    const endpoint = this.endpoint(endpointId);
    const deployed = request.deployedModel as DeployedModel | undefined;
    if (deployed?.dedicatedResources?.machineSpec?.machineType === undefined) {
      throw new HttpError(
        400,
        "INVALID_ARGUMENT",
        "deployedModel.dedicatedResources.machineSpec is required",
      );
    }
    const model = this.model(idOf(deployed.model));
    const split = request.trafficSplit as Record<string, number> | undefined;
    return this.startOperation("deploy", endpoint.name, () => {
      const id = String(this.counter++);
      const created: DeployedModel = {
        ...clone(deployed),
        id,
        model: model.name,
        createTime: new Date().toISOString(),
      };
      endpoint.deployedModels = [...(endpoint.deployedModels ?? []), created];
      if (split !== undefined) {
        endpoint.trafficSplit = Object.fromEntries(
          Object.entries(split).map(([key, share]) => [key === "0" ? id : key, share]),
        );
      }
      model.deployedModels = [
        ...(model.deployedModels ?? []),
        { endpoint: endpoint.name, deployedModelId: id },
      ];
      return {
        "@type": "type.googleapis.com/google.cloud.aiplatform.v1.DeployModelResponse",
        deployedModel: clone(created),
      };
    });
  }

  private mutate(endpointId: string, request: Record<string, unknown>): Operation<unknown> {
    const endpoint = this.endpoint(endpointId);
    const change = request.deployedModel as DeployedModel | undefined;
    const target = (endpoint.deployedModels ?? []).find((dm) => dm.id === change?.id);
    if (target === undefined || change === undefined) {
      throw new HttpError(404, "NOT_FOUND", `DeployedModel ${String(change?.id)} not found.`);
    }
    if (typeof request.updateMask !== "string" || request.updateMask === "") {
      throw new HttpError(400, "INVALID_ARGUMENT", "updateMask is required");
    }
    const paths = request.updateMask.split(",");
    return this.startOperation("mutate", endpoint.name, () => {
      const resources = target.dedicatedResources;
      const wanted = change.dedicatedResources;
      if (resources !== undefined && wanted !== undefined) {
        if (paths.includes("dedicatedResources.minReplicaCount"))
          resources.minReplicaCount = wanted.minReplicaCount;
        if (paths.includes("dedicatedResources.maxReplicaCount"))
          resources.maxReplicaCount = wanted.maxReplicaCount;
        if (paths.includes("dedicatedResources.autoscalingMetricSpecs")) {
          resources.autoscalingMetricSpecs = clone(wanted.autoscalingMetricSpecs);
        }
      }
      return {
        "@type": "type.googleapis.com/google.cloud.aiplatform.v1.MutateDeployedModelResponse",
        deployedModel: clone(target),
      };
    });
  }

  private undeploy(endpointId: string, request: Record<string, unknown>): Operation<unknown> {
    const endpoint = this.endpoint(endpointId);
    const id = request.deployedModelId as string;
    const target = (endpoint.deployedModels ?? []).find((dm) => dm.id === id);
    if (target === undefined)
      throw new HttpError(404, "NOT_FOUND", `DeployedModel ${id} not found.`);
    const split = request.trafficSplit as Record<string, number> | undefined;
    const others = (endpoint.deployedModels ?? []).filter((dm) => dm.id !== id);
    const shareAfter = split === undefined ? (endpoint.trafficSplit?.[id] ?? 0) : (split[id] ?? 0);
    if (others.length > 0 && shareAfter > 0) {
      throw new HttpError(
        400,
        "FAILED_PRECONDITION",
        `DeployedModel ${id} still receives ${shareAfter}% of the traffic; reassign it in trafficSplit.`,
      );
    }
    if (split !== undefined && Object.values(split).reduce((a, b) => a + b, 0) !== 100) {
      throw new HttpError(400, "INVALID_ARGUMENT", "trafficSplit must add up to 100");
    }
    return this.startOperation("undeploy", endpoint.name, () => {
      endpoint.deployedModels = others;
      const next = { ...(split ?? endpoint.trafficSplit ?? {}) };
      delete next[id];
      endpoint.trafficSplit = others.length === 0 ? {} : next;
      const model = this.models.get(idOf(target.model));
      if (model !== undefined) {
        model.deployedModels = (model.deployedModels ?? []).filter((d) => d.deployedModelId !== id);
      }
      return { "@type": "type.googleapis.com/google.cloud.aiplatform.v1.UndeployModelResponse" };
    });
  }
}
