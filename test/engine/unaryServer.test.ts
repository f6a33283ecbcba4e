import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineClient, EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import { type UnaryServer, serveUnary } from "../../engine/unaryServer";
import { type Unary, unary } from "../grpc";

describe("the engine's unary gRPC server", () => {
  let server: UnaryServer;
  let client: EngineClient;
  const messages: string[] = [];

  before(async () => {
    server = await serveUnary(EngineService, {
      log: (req: engineProto.LogRequest) => {
        messages.push(req.getMessage());
        return new Empty();
      },
      setRootResource: (req: engineProto.SetRootResourceRequest) => {
        throw new Error(req.getUrn());
      },
      // Not the method's response type, which does not serialize.
      requirePulumiVersion: () => ({ version: "3" }),
    });
    client = new EngineClient(server.address, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await server.close();
  });

  const log = (message: string) =>
    unary(client.log, client, new engineProto.LogRequest().setMessage(message));

  it("answers calls made one after another, as the SDK sends its logs", async () => {
    for (const message of ["first", "second", "third"]) await log(message);
    expect(messages.slice(-3)).to.deep.equal(["first", "second", "third"]);
  });

  it("reads a request that arrives in several HTTP/2 frames", async () => {
    // Larger than HTTP/2's default 16 KiB frame.
    const long = "x".repeat(100_000);
    await log(long);
    expect(messages.at(-1)).to.equal(long);
  });

  /** The error a call ends with, or undefined when it succeeds. */
  const failure = <Req>(method: Unary<Req, unknown>, request: Req, on: grpc.Client = client) =>
    unary(method, on, request).then(
      () => undefined,
      (err: grpc.ServiceError) => err,
    );

  const refused = (message: string) =>
    failure(client.setRootResource, new engineProto.SetRootResourceRequest().setUrn(message));

  it("answers a handler's error as UNKNOWN with its message", async () => {
    const error = await refused("no root here: 100% refused, ünïcode kept");
    expect(error?.code).to.equal(grpc.status.UNKNOWN);
    expect(error?.details).to.equal("no root here: 100% refused, ünïcode kept");
  });

  it("cuts an error's message short rather than lose it to a stream reset", async () => {
    const error = await refused("y".repeat(100_000));
    expect(error?.code).to.equal(grpc.status.UNKNOWN);
    expect(error?.details).to.equal("y".repeat(4096));
  });

  it("answers a response that does not serialize as INTERNAL, and goes on serving", async () => {
    const error = await failure(
      client.requirePulumiVersion,
      new engineProto.RequirePulumiVersionRequest(),
    );
    expect(error?.code).to.equal(grpc.status.INTERNAL);
    await log("after");
    expect(messages.at(-1)).to.equal("after");
  });

  it("answers a request that does not decode as INTERNAL", async () => {
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    try {
      // Field 1, length-delimited, with a length that never ends.
      const garbled = () => Buffer.from([0x0a, 0xff]);
      const error = await new Promise<grpc.ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(EngineService.log.path, garbled, (b: Buffer) => b, {}, resolve),
      );
      expect(error?.code).to.equal(grpc.status.INTERNAL);
    } finally {
      raw.close();
    }
  });

  it("refuses a compressed request as UNIMPLEMENTED, as the protocol asks", async () => {
    const gzip = new EngineClient(server.address, grpc.credentials.createInsecure(), {
      "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip,
    });
    try {
      const error = await failure(gzip.log, new engineProto.LogRequest().setMessage("z"), gzip);
      expect(error?.code).to.equal(grpc.status.UNIMPLEMENTED);
    } finally {
      gzip.close();
    }
  });

  it("answers a method it has no handler for as UNIMPLEMENTED", async () => {
    const error = await failure(client.getRootResource, new engineProto.GetRootResourceRequest());
    expect(error?.code).to.equal(grpc.status.UNIMPLEMENTED);
    expect(error?.details).to.equal("/pulumirpc.Engine/GetRootResource is not served here");
  });
});
