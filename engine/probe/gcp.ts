import { GoogleAuth } from "google-auth-library";
import { type InvokerFactory, InvokeError, postJson } from "./invoke";

/** The scope Vertex AI prediction accepts. */
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * Vertex AI `endpoints.predict` (`POST .../endpoints/{id}:predict` with `{"instances": [...]}`)
 * with an OAuth 2.0 access token of Application Default Credentials, the chain the Google
 * provider deploys with (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's user credentials, the
 * metadata server). The token is refreshed by the library when it nears expiry.
 */
export const gcpInvoker: InvokerFactory = async (target) => {
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  const accessToken = async (): Promise<string> => {
    try {
      const token = await auth.getAccessToken();
      if (token === null || token === undefined) throw new Error("the library returned no token");
      return token;
    } catch (err) {
      throw new InvokeError(
        "auth",
        `no Google credentials from Application Default Credentials: ${(err as Error).message.split("\n")[0]}`,
      );
    }
  };
  await accessToken();
  return async (body, signal) =>
    postJson(target.scoringUrl, { Authorization: `Bearer ${await accessToken()}` }, body, signal);
};
