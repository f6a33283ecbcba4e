import type { ProbeTarget } from "./targets";
import { preview } from "./sample";

/** How a request can fail, as the probe report counts it. */
export const ERROR_KINDS = [
  "auth",
  "throttled",
  "5xx",
  "timeout",
  "wrong-answer",
  "other",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A failed request, classified. */
export class InvokeError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "InvokeError";
  }
}

/** Sends one scoring request and returns the parsed answer, or throws an `InvokeError`. */
export type Invoke = (body: string, signal: AbortSignal) => Promise<unknown>;

/** Where the probe sends what the SDKs have no standard setting for. */
export interface ProbeEndpoints {
  /** Azure Resource Manager, for the `listKeys` action. @default https://management.azure.com */
  azureManagementUrl: string;
}

/** Prepares the calls to one endpoint: looks up credentials, keys and clients once. */
export type InvokerFactory = (target: ProbeTarget, endpoints: ProbeEndpoints) => Promise<Invoke>;

/** The kind of an HTTP status that is not a success. */
export function kindOfStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "throttled";
  if (status >= 500) return "5xx";
  return "other";
}

/** Whether an error is the abort of a request whose time ran out. */
export function isTimeout(err: unknown, signal: AbortSignal): boolean {
  const name = (err as { name?: string } | null)?.name;
  return signal.aborted || name === "TimeoutError" || name === "AbortError";
}

/**
 * POSTs and returns the text of the answer. A request that runs out of time, fails or is answered
 * with an HTTP error status becomes an `InvokeError` of its kind. `call`, if given, names the
 * request at the start of each message; otherwise only a request that fails names its URL.
 */
export async function postForText(
  url: string,
  init: { headers: Record<string, string>; body?: string; signal: AbortSignal },
  call?: string,
): Promise<string> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: "POST", ...init });
    text = await response.text();
  } catch (err) {
    if (isTimeout(err, init.signal)) {
      throw new InvokeError("timeout", `${call === undefined ? "" : `${call}: `}no answer in time`);
    }
    throw new InvokeError("other", `${call ?? url}: ${causeOf(err)}`);
  }
  if (!response.ok) {
    throw new InvokeError(
      kindOfStatus(response.status),
      `${call === undefined ? "" : `${call} answered `}HTTP ${response.status}: ${preview(text)}`,
    );
  }
  return text;
}

/** An endpoint's answer parsed as JSON; an answer that is not JSON is a wrong answer. */
export function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvokeError("wrong-answer", `the answer is not JSON: ${preview(text)}`);
  }
}

/**
 * POSTs JSON and returns the parsed JSON answer; an HTTP error, a time-out or a body that is not
 * JSON becomes an `InvokeError` of its kind.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<unknown> {
  const text = await postForText(url, {
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body,
    signal,
  });
  return parseAnswer(text);
}

/** The message of an error and of its cause, which fetch keeps the network failure in. */
function causeOf(err: unknown): string {
  const error = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = error.cause?.code ?? error.cause?.message;
  return cause === undefined ? String(error.message ?? err) : `${error.message} (${cause})`;
}
