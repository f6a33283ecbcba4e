import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";

/** A unary method's handler: the decoded request in, the response out; a throw is the call's error. */
export type UnaryHandler = (request: never) => unknown;

/** A server of one gRPC service's unary methods on loopback. */
export interface UnaryServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * A gRPC message on the wire: a byte that says it is not compressed, its length in four bytes
 * big-endian, then the message ("Length-Prefixed-Message" in grpc/grpc's doc/PROTOCOL-HTTP2.md).
 */
function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** The one message of a unary request, or undefined when the body is not exactly one uncompressed message. */
function unframed(body: Buffer): Buffer | undefined {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5)
    return undefined;
  return body.subarray(5);
}

/**
 * `grpc-message` as the protocol carries it: each byte of the text's UTF-8 outside printable
 * ASCII, and `%`, written `%XX` ("Percent-Encoded" in the same document).
 */
function percentEncoded(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const printable = byte >= 0x20 && byte <= 0x7e && byte !== 0x25;
    encoded += printable
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** Ends a call with a status and no message ("Trailers-Only" in the same document). */
function fail(stream: http2.ServerHttp2Stream, code: grpc.status, message: string): void {
  if (stream.destroyed) return;
  stream.respond(
    {
      ":status": 200,
      "content-type": "application/grpc",
      "grpc-status": String(code),
      "grpc-message": percentEncoded(message),
    },
    { endStream: true },
  );
}

/**
 * Serves the unary methods of a gRPC service straight from node:http2, as the protocol lays a
 * unary call out: one request message, then response headers, one message and trailers with
 * `grpc-status`. A method without a handler answers UNIMPLEMENTED, a handler's throw UNKNOWN
 * with its message, as grpc-js's server does. For a service a program calls thousands of times
 * one call after another, where grpc-js's server work for each call is most of its answer time.
 */
export async function serveUnary(
  service: grpc.ServiceDefinition,
  handlers: Record<string, UnaryHandler>,
): Promise<UnaryServer> {
  const methods = new Map(
    Object.entries(service).map(([name, method]) => [
      method.path,
      { method, handler: handlers[name] },
    ]),
  );
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  server.on("stream", (stream, headers) => {
    // A call the program abandons (it exits) needs no answer.
    stream.on("error", () => undefined);
    const path = String(headers[":path"]);
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const entry = methods.get(path);
      if (entry?.handler === undefined) {
        fail(stream, grpc.status.UNIMPLEMENTED, `${path} is not served here`);
        return;
      }
      const message = unframed(Buffer.concat(chunks));
      if (message === undefined) {
        fail(stream, grpc.status.INTERNAL, "the request is not one uncompressed message");
        return;
      }
      const { method, handler } = entry;
      Promise.resolve()
        .then(() => handler(method.requestDeserialize(message) as never))
        .then(
          (response) => {
            if (stream.destroyed) return;
            stream.respond(
              { ":status": 200, "content-type": "application/grpc" },
              { waitForTrailers: true },
            );
            stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
            stream.end(framed(method.responseSerialize(response)));
          },
          (err: unknown) =>
            fail(stream, grpc.status.UNKNOWN, err instanceof Error ? err.message : String(err)),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
