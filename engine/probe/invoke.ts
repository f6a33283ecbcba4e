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
 * POSTs JSON and returns the parsed JSON answer; an HTTP error, a time-out or a body that is not
 * JSON becomes an `InvokeError` of its kind.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body,
      signal,
    });
    text = await response.text();
  } catch (err) {
    if (isTimeout(err, signal)) throw new InvokeError("timeout", "no answer in time");
    throw new InvokeError("other", `${url}: ${causeOf(err)}`);
  }
  if (!response.ok) {
    throw new InvokeError(
      kindOfStatus(response.status),
      `HTTP ${response.status}: ${preview(text)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvokeError("wrong-answer", `the answer is not JSON: ${preview(text)}`);
  }
}

/** The message of an error and of its cause, which fetch keeps the network failure in. */
export function causeOf(err: unknown): string {
  const error = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = error.cause?.code ?? error.cause?.message;
  return cause === undefined ? String(error.message ?? err) : `${error.message} (${cause})`;
}
