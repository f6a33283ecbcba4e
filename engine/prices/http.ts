import * as http from "node:http";
import * as https from "node:https";
import { StringDecoder } from "node:string_decoder";

/**
 * A price source that could not be read, or that answered in a shape other than the documented
 * one. The message names the URL, so one line tells the user what failed where.
 */
export class PriceSourceError extends Error {
  constructor(
    readonly url: string,
    problem: string,
  ) {
    super(`${url}: ${problem}`);
    this.name = "PriceSourceError";
  }
}

export interface HttpOptions {
  /** How long a connection may stay silent, before or during the response, before it is dropped. */
  idleTimeoutMs: number;
}

/** A minute of silence: the bulk price files are large, but they stream steadily. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

const USER_AGENT = "mlplatform-prices";

/** The response body of a GET as decoded text chunks; any non-2xx status is an error. */
async function* bodyChunks(url: string, options: HttpOptions): AsyncGenerator<string> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new PriceSourceError(url, "not a valid URL");
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new PriceSourceError(url, "not an http or https URL");
  }
  const client = target.protocol === "https:" ? https : http;
  const stalled = `no data for ${options.idleTimeoutMs / 1000} s`;
  let timedOut = false;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = client.get(
      target,
      { headers: { "user-agent": USER_AGENT }, timeout: options.idleTimeoutMs },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          reject(new PriceSourceError(url, `HTTP ${status} ${res.statusMessage ?? ""}`.trimEnd()));
          return;
        }
        resolve(res);
      },
    );
    request.on("timeout", () => {
      timedOut = true;
      request.destroy(new Error(stalled));
    });
    request.on("error", (err) =>
      reject(new PriceSourceError(url, timedOut ? stalled : `request failed: ${err.message}`)),
    );
  });
  const decoder = new StringDecoder("utf8");
  try {
    for await (const chunk of response) {
      yield decoder.write(chunk as Buffer);
    }
  } catch (err) {
    throw new PriceSourceError(
      url,
      timedOut ? stalled : `connection failed while reading: ${(err as Error).message}`,
    );
  } finally {
    // A reader that stops early must not leave the socket open.
    if (!response.complete) {
      response.destroy();
    }
  }
  yield decoder.end();
}

/** The whole body of a GET as text. */
async function getText(url: string, options: HttpOptions): Promise<string> {
  let text = "";
  for await (const chunk of bodyChunks(url, options)) {
    text += chunk;
  }
  return text;
}

/** The body of a GET parsed as JSON; a body that is not JSON is a `PriceSourceError`. */
export async function getJson(url: string, options: HttpOptions): Promise<unknown> {
  const text = await getText(url, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PriceSourceError(url, `the response is not JSON (${(err as Error).message})`);
  }
}

/**
 * The body of a GET line by line, without holding more than one chunk and one line in memory:
 * the EC2 bulk price file of one region is hundreds of megabytes.
 */
export async function* getLines(url: string, options: HttpOptions): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of bodyChunks(url, options)) {
    rest += chunk;
    let start = 0;
    let end = rest.indexOf("\n", start);
    while (end !== -1) {
      yield rest.charCodeAt(end - 1) === 13 ? rest.slice(start, end - 1) : rest.slice(start, end);
      start = end + 1;
      end = rest.indexOf("\n", start);
    }
    rest = rest.slice(start);
  }
  if (rest !== "") {
    yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
  }
}
