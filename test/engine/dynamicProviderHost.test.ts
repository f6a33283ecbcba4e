import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { expect } from "chai";
import { PROJECT_DIR, planJson } from "../cli";
import { type Unary, servedPort, unary } from "../grpc";

/**
 * The dynamic resources' providers as Pulumi runs them: the SDK's dynamic-provider host (what the
 * CLI starts as `pulumi-resource-pulumi-nodejs`) loads each `__provider` text of the prod plan and
 * answers the resource-provider protocol with it.
 */
describe("the dynamic providers under Pulumi's dynamic-provider host", function () {
  this.timeout(300_000);

  let host: ChildProcess;
  let client: ResourceProviderClient;
  const providers = new Map<string, string>();

  before(async () => {
    const plan = planJson("prod");
    for (const resource of plan.deployment.resources) {
      const text = resource.inputs?.__provider;
      if (typeof text === "string") providers.set(resource.type, text);
    }
    host = spawn(
      process.execPath,
      [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"],
      { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "inherit"] },
    );
    const port = await servedPort(host, "the dynamic-provider host");
    client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    // The engine configures the host with the stack's config before anything else.
    const configure = new providerProto.ConfigureRequest();
    configure.setArgs(Struct.fromJavaScript({ "gcp:project": "ml-platform-test" }));
    await call<providerProto.ConfigureRequest, providerProto.ConfigureResponse>(
      client.configure,
      configure,
    );
  });

  after(() => {
    client?.close();
    host?.kill();
  });

  function call<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
    return unary(method, client, request);
  }

  function providerOf(type: string): string {
    const text = providers.get(type);
    expect(text, `a ${type} in the prod plan`).to.be.a("string");
    return text as string;
  }

  it("finds the three dynamic resources in the prod plan", () => {
    expect([...providers.keys()].sort()).to.deep.equal([
      "pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning",
      "pulumi-nodejs:dynamic/gcp:IamPropagationWait",
      "pulumi-nodejs:dynamic/gcp:VertexModelDeployment",
    ]);
  });

  it("checks a Vertex model deployment with the bundled provider's own validation", async () => {
    const request = new providerProto.CheckRequest();
    request.setUrn(
      "urn:pulumi:prod::mlplatform::pulumi-nodejs:dynamic/gcp:VertexModelDeployment::d",
    );
    request.setOlds(Struct.fromJavaScript({}));
    request.setNews(
      Struct.fromJavaScript({
        __provider: providerOf("pulumi-nodejs:dynamic/gcp:VertexModelDeployment"),
        minReplicas: 3,
        maxReplicas: 1,
      }),
    );
    const response = await call<providerProto.CheckRequest, providerProto.CheckResponse>(
      client.check,
      request,
    );
    const failures = response.getFailuresList().map((f) => f.getProperty());
    expect(failures).to.include.members(["project", "endpointId", "maxReplicas"]);
  });

  it("creates an IAM propagation wait and returns its outputs with the provider kept", async () => {
    const text = providerOf("pulumi-nodejs:dynamic/gcp:IamPropagationWait");
    const request = new providerProto.CreateRequest();
    request.setUrn("urn:pulumi:prod::mlplatform::pulumi-nodejs:dynamic/gcp:IamPropagationWait::w");
    request.setProperties(
      Struct.fromJavaScript({ __provider: text, members: ["serviceAccount:a"], seconds: 0 }),
    );
    const response = await call<providerProto.CreateRequest, providerProto.CreateResponse>(
      client.create,
      request,
    );
    expect(response.getId()).to.match(/^[0-9a-f-]{36}$/);
    expect(response.getProperties()?.toJavaScript()).to.deep.equal({
      __provider: text,
      members: ["serviceAccount:a"],
      seconds: 0,
    });
  });

  it("diffs an Azure managed-network provisioning as a replacement for another workspace", async () => {
    const text = providerOf("pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning");
    const request = new providerProto.DiffRequest();
    request.setId("/ws/a/managedNetwork");
    request.setUrn(
      "urn:pulumi:prod::mlplatform::pulumi-nodejs:dynamic/azure:ManagedNetworkProvisioning::n",
    );
    request.setOlds(Struct.fromJavaScript({ __provider: text, workspaceId: "/ws/a" }));
    request.setNews(Struct.fromJavaScript({ __provider: text, workspaceId: "/ws/b" }));
    const response = await call<providerProto.DiffRequest, providerProto.DiffResponse>(
      client.diff,
      request,
    );
    expect(response.getChanges()).to.equal(providerProto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(response.getReplacesList()).to.deep.equal(["workspaceId"]);
  });
});
