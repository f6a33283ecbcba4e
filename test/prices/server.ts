import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How the fixture server answers one request: a status and body, `hang` (accept and never
 * answer), or `cut` (promise a longer body, send part of it, drop the connection).
 */
export type Reply = { status?: number; body: string } | "hang" | "cut";

/** Answers a request from its URL; `base` is the server's own `http://127.0.0.1:port`. */
export type Handler = (url: URL, base: string) => Reply;

export interface FixtureServer {
  base: string;
  /** Every request the server received, in order. */
  requests: URL[];
  close(): Promise<void>;
}

/** A local HTTP server on a random port of 127.0.0.1 that answers from `handler`. */
export async function serve(handler: Handler): Promise<FixtureServer> {
  const requests: URL[] = [];
  let base = "";
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", base);
    requests.push(url);
    const reply = handler(url, base);
    if (reply === "hang") {
      return;
    }
    if (reply === "cut") {
      res.writeHead(200, { "content-length": "100000" });
      res.write("FormatVersion,v1.0\n", () => res.socket?.destroy());
      return;
    }
    res.writeHead(reply.status ?? 200);
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
