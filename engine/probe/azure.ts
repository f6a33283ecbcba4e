import { DefaultAzureCredential } from "@azure/identity";
import { ML_API_VERSION } from "../../components/azure/armApi";
import { type InvokerFactory, InvokeError, postForText, postJson } from "./invoke";

/** The scope of an ARM access token. */
const ARM_SCOPE = "https://management.azure.com/.default";

/** Seconds the key lookup may take before the endpoint is reported as unreachable. */
const LIST_KEYS_TIMEOUT_MS = 30_000;

/**
 * An Azure ML managed online endpoint with key auth: a token for Azure Resource Manager from
 * `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI, ...),
 * the endpoint's primary key from its `listKeys` action, then each scoring request to the
 * endpoint's scoring URL with the key as a bearer token
 * (learn.microsoft.com/azure/machine-learning/how-to-authenticate-online-endpoint).
 */
export const azureInvoker: InvokerFactory = async (target, endpoints) => {
  let token: string;
  try {
    const credential = new DefaultAzureCredential();
    token = (await credential.getToken(ARM_SCOPE)).token;
  } catch (err) {
    throw new InvokeError(
      "auth",
      `no Azure credentials from DefaultAzureCredential: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  const url = `${endpoints.azureManagementUrl.replace(/\/+$/, "")}${target.resourceId}/listKeys?api-version=${ML_API_VERSION}`;
  const text = await postForText(
    url,
    {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(LIST_KEYS_TIMEOUT_MS),
    },
    `listKeys of ${target.resourceId}`,
  );
  let key: unknown;
  try {
    key = (JSON.parse(text) as { primaryKey?: unknown }).primaryKey;
  } catch {
    key = undefined;
  }
  if (typeof key !== "string" || key === "") {
    throw new InvokeError("auth", `listKeys of ${target.resourceId} returned no primaryKey`);
  }
  const headers = { Authorization: `Bearer ${key}` };
  return (body, signal) => postJson(target.scoringUrl, headers, body, signal);
};
