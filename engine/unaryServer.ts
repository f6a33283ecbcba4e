import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";

/** A unary method's handler: the decoded request in, the response out; a throw is the call's error. */
export type UnaryHandler = (request: never) => unknown;

/** A server of one gRPC service's unary methods on loopback. */
export interface UnaryServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Stops serving; a call still open is dropped, so close it once its client is done. */
  close(): Promise<void>;
}

/** A call refused: its status, and why. */
interface Refusal {
  code: grpc.status;
  message: string;
}

/** What the server answers a call with: its response, or a refusal. */
type Answer = { response: Buffer } | Refusal;

/**
 * The longest `grpc-message` sent: Node resets a stream whose header block passes 64 KiB, and
 * the client would see that reset instead of the error.
 */
const MESSAGE_LENGTH = 4096;

/**
 * A gRPC message on the wire: a byte that says whether it is compressed, its length in four
 * bytes big-endian, then the message ("Length-Prefixed-Message" in grpc/grpc's
 * doc/PROTOCOL-HTTP2.md).
 */
function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/**
 * `grpc-message` as the protocol carries it: each byte of the text's UTF-8 outside printable
 * ASCII, and `%`, written `%XX` ("Percent-Encoded" in the same document).
 */
function percentEncoded(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text.slice(0, MESSAGE_LENGTH), "utf8")) {
    const printable = byte >= 0x20 && byte <= 0x7e && byte !== 0x25;
    encoded += printable
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** Answers a call, unless its client has gone. */
function answer(stream: http2.ServerHttp2Stream, result: Answer): void {
  if (stream.destroyed) return;
  // Every answer says the server takes uncompressed messages only, as the protocol asks of one.
  const headers = {
    ":status": 200,
    "content-type": "application/grpc",
    "grpc-accept-encoding": "identity",
  };
  if ("response" in result) {
    stream.respond(headers, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(framed(result.response));
    return;
  }
  // No message: a status in the headers alone ("Trailers-Only" in the same document).
  stream.respond(
    {
      ...headers,
      "grpc-status": String(result.code),
      "grpc-message": percentEncoded(result.message),
    },
    { endStream: true },
  );
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A message that does not decode or encode refuses the call as INTERNAL, as grpc-js's does. */
function coded<T>(code: () => T): T | Refusal {
  try {
    return code();
  } catch (err) {
    return { code: grpc.status.INTERNAL, message: errorText(err) };
  }
}

/** What a unary call's body asks, decoded, or the refusal. */
function requestOf(
  body: Buffer,
  method: grpc.MethodDefinition<unknown, unknown>,
): { request: unknown } | Refusal {
  if (body.length < 5 || body.readUInt32BE(1) !== body.length - 5) {
    return { code: grpc.status.INTERNAL, message: "the request is not one message" };
  }
  if (body[0] !== 0) {
    return { code: grpc.status.UNIMPLEMENTED, message: "compressed requests are not accepted" };
  }
  return coded(() => ({ request: method.requestDeserialize(body.subarray(5)) }));
}

/**
 * Serves the unary methods of a gRPC service straight from node:http2, as the protocol lays a
 * unary call out: one request message, then response headers, one message and trailers with
 * `grpc-status`. A method without a handler answers UNIMPLEMENTED, a handler's throw UNKNOWN
 * with its message, and a message that does not decode or encode INTERNAL, as grpc-js's server
 * does.
 * For a service a program calls thousands of times one call after another, where grpc-js's
 * server work for each call is most of its answer time.
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
  // As grpc-js's server: no bound on the memory a session's outstanding frames hold.
  const server = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER });
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
        answer(stream, { code: grpc.status.UNIMPLEMENTED, message: `${path} is not served here` });
        return;
      }
      const { method, handler } = entry;
      const asked = requestOf(Buffer.concat(chunks), method);
      if (!("request" in asked)) {
        answer(stream, asked);
        return;
      }
      Promise.resolve()
        .then(() => handler(asked.request as never))
        .then(
          (response) =>
            answer(
              stream,
              coded(() => ({ response: method.responseSerialize(response) })),
            ),
          (err: unknown) => answer(stream, { code: grpc.status.UNKNOWN, message: errorText(err) }),
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
