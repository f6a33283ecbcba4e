/**
 * The slice of Azure Resource Manager's REST protocol that the platform's dynamic providers use:
 * a JSON call with a bearer token, ARM's error shape, and the asynchronous-operation protocol
 * (a `202 Accepted` with an `Azure-AsyncOperation` and/or `Location` header, polled until done).
 * https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/async-api-reference.md
 *
 * The dynamic providers' bundles in the stack state carry this module: it imports nothing and
 * keeps no module state.
 */

/** Azure Resource Manager in Azure's public cloud. */
export const ARM_ENDPOINT = "https://management.azure.com";

/** API version of Azure ML calls made outside azure-native: the one azure-native 3.x uses. */
export const ML_API_VERSION = "2025-12-01";

/** Seconds between two polls when ARM sends no `Retry-After`. */
export const DEFAULT_POLL_SECONDS = 10;

export interface ArmCallOptions {
  /** Bearer token for Azure Resource Manager. */
  accessToken: string;
  /** ARM's base URL: `ARM_ENDPOINT`, or a sovereign cloud's. */
  endpoint: string;
  /** Give up waiting for an asynchronous operation after this many milliseconds. */
  timeoutMs: number;
  /** Upper bound of the wait between polls, in milliseconds (ARM's `Retry-After` is honoured up to it). */
  maxPollMs: number;
}

interface ArmError {
  code?: string;
  message?: string;
}

/** States of an `Azure-AsyncOperation` that end it. */
const TERMINAL_STATES = new Set(["succeeded", "failed", "canceled", "cancelled"]);

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (text.length === 0) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: { message: text.slice(0, 500) } };
  }
}

function armErrorOf(body: Record<string, unknown>): ArmError {
  const error = body.error;
  return typeof error === "object" && error !== null ? (error as ArmError) : {};
}

/** One error message for a failed call or operation: what was asked, ARM's code and message. */
export function armFailure(what: string, status: string, error: ArmError): Error {
  const code = error.code ?? "no error code";
  const message = error.message ?? "no message";
  return new Error(`${what} failed (${status}): ${code}: ${message}`);
}

function retryAfterMs(response: Response, options: ArmCallOptions): number {
  const header = Number(response.headers.get("retry-after"));
  const seconds = Number.isFinite(header) && header > 0 ? header : DEFAULT_POLL_SECONDS;
  return Math.min(seconds * 1000, options.maxPollMs);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

async function send(
  method: string,
  url: string,
  options: ArmCallOptions,
  body?: unknown,
): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${options.accessToken}`,
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * POSTs an ARM action and waits for it: a `200` answers at once; a `201` or `202` is followed
 * through `Azure-AsyncOperation` (until `Succeeded`, `Failed` or `Canceled`) and then `Location`
 * (until it stops answering `202`), whose body is the action's result. Fails with ARM's error
 * code and message, or when the operation outlasts `timeoutMs`.
 */
export async function armAction(
  what: string,
  path: string,
  options: ArmCallOptions,
  body: unknown,
): Promise<Record<string, unknown>> {
  const started = Date.now();
  const response = await send("POST", `${options.endpoint}${path}`, options, body);
  if (response.status === 200) return readJson(response);
  if (response.status !== 201 && response.status !== 202) {
    throw armFailure(what, `HTTP ${response.status}`, armErrorOf(await readJson(response)));
  }
  await readJson(response);
  const overdue = () => {
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `${what} did not finish within ${Math.round(options.timeoutMs / 60000)} minutes`,
      );
    }
  };

  let wait = retryAfterMs(response, options);
  const asyncOperation = response.headers.get("azure-asyncoperation");
  if (asyncOperation !== null) {
    for (;;) {
      overdue();
      await sleep(wait);
      const poll = await send("GET", asyncOperation, options);
      const state = await readJson(poll);
      if (poll.status !== 200) throw armFailure(what, `HTTP ${poll.status}`, armErrorOf(state));
      const status = String(state.status ?? "");
      if (TERMINAL_STATES.has(status.toLowerCase())) {
        if (status.toLowerCase() !== "succeeded") throw armFailure(what, status, armErrorOf(state));
        break;
      }
      wait = retryAfterMs(poll, options);
    }
  }
  const location = response.headers.get("location");
  if (location === null) return {};
  // Once the asynchronous operation has succeeded, the result is ready at `Location` at once.
  let ready = asyncOperation !== null;
  for (;;) {
    if (!ready) {
      overdue();
      await sleep(wait);
    }
    ready = false;
    const poll = await send("GET", location, options);
    const result = await readJson(poll);
    if (poll.status === 202) {
      wait = retryAfterMs(poll, options);
      continue;
    }
    if (poll.status !== 200 && poll.status !== 204) {
      throw armFailure(what, `HTTP ${poll.status}`, armErrorOf(result));
    }
    return result;
  }
}
