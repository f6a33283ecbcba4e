import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  SageMakerRuntimeServiceException,
} from "@aws-sdk/client-sagemaker-runtime";
import {
  type ErrorKind,
  type InvokerFactory,
  InvokeError,
  isTimeout,
  kindOfStatus,
  parseAnswer,
} from "./invoke";

/** Service errors that mean the caller's credentials or signature were refused. */
const AUTH_ERRORS = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "ExpiredTokenException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
]);

/**
 * The kind of a SageMaker Runtime error. `ModelError` (HTTP 424) carries the status the model's
 * container answered, which says whether it failed (5xx) or was overloaded (429).
 */
function kindOf(err: SageMakerRuntimeServiceException): ErrorKind {
  if (AUTH_ERRORS.has(err.name)) return "auth";
  if (err.name === "ThrottlingException") return "throttled";
  if (err.name === "ModelError") {
    const original = (err as { OriginalStatusCode?: number }).OriginalStatusCode;
    return original === undefined ? "other" : kindOfStatus(original);
  }
  const status = err.$metadata.httpStatusCode;
  if (status !== undefined) return kindOfStatus(status);
  return err.$fault === "server" ? "5xx" : "other";
}

/**
 * SageMaker Runtime `InvokeEndpoint` through the AWS SDK for JavaScript v3: credentials from the
 * default provider chain, SigV4-signed requests, the endpoint URL the SDK resolves for the region
 * (or `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` / `AWS_ENDPOINT_URL`, which the SDK reads itself). One
 * attempt a request: the SDK's retries would hide the throttling and errors the probe counts.
 */
export const awsInvoker: InvokerFactory = async (target) => {
  const client = new SageMakerRuntimeClient({ region: target.region, maxAttempts: 1 });
  try {
    await client.config.credentials();
  } catch (err) {
    throw new InvokeError(
      "auth",
      `no AWS credentials in the default provider chain: ${(err as Error).message}`,
    );
  }
  return async (body, signal) => {
    let text: string;
    try {
      const answer = await client.send(
        new InvokeEndpointCommand({
          EndpointName: target.endpointName,
          ContentType: "application/json",
          Accept: "application/json",
          Body: body,
        }),
        { abortSignal: signal },
      );
      text = answer.Body === undefined ? "" : Buffer.from(answer.Body).toString("utf8");
    } catch (err) {
      if (err instanceof SageMakerRuntimeServiceException) {
        throw new InvokeError(kindOf(err), `${err.name}: ${err.message}`);
      }
      if (isTimeout(err, signal)) throw new InvokeError("timeout", "no answer in time");
      throw new InvokeError("other", (err as Error).message);
    }
    return parseAnswer(text);
  };
};
