import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { armAction } from "../../components/azure/armApi";
import { ML_API_VERSION } from "../../components/azure/armApi";
import { managedNetworkProvider } from "../../components/azure/managedNetworkProvider";

const WORKSPACE_ID =
  "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w";
const TOKEN = "test-token";

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** One scripted answer: status, headers (`{base}` becomes the server's URL) and JSON body. */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A loopback server that answers requests in order with the given answers, speaking ARM's
 * asynchronous-operation protocol as the script says, and records what it was sent.
 */
async function armServer(
  script: Answer[],
): Promise<{ base: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  let base = "";
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        body,
      });
      const answer = script.shift() ?? { status: 500, body: { error: { code: "Unscripted" } } };
      const headers = Object.fromEntries(
        Object.entries(answer.headers ?? {}).map(([k, v]) => [k, v.replace("{base}", base)]),
      );
      response.writeHead(answer.status, { "content-type": "application/json", ...headers });
      response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, server };
}

const FAST = { timeoutMs: 5_000, maxPollMs: 5 };

describe("azure managed network provisioning", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("posts provisionManagedNetwork and follows Location until the network is Active", async () => {
    const arm = await armServer([
      { status: 202, headers: { location: "{base}/poll/1", "retry-after": "1" } },
      { status: 202, headers: { location: "{base}/poll/1", "retry-after": "1" } },
      { status: 200, body: { status: "Active", sparkReady: false } },
    ]);
    server = arm.server;
    const provider = managedNetworkProvider(FAST);
    const created = await provider.create!({
      workspaceId: WORKSPACE_ID,
      accessToken: TOKEN,
      armEndpoint: arm.base,
    });
    expect(created.outs).to.deep.equal({
      workspaceId: WORKSPACE_ID,
      armEndpoint: arm.base,
      status: "Active",
      sparkReady: false,
    });
    expect(created.id).to.equal(`${WORKSPACE_ID}/managedNetwork`);
    expect(arm.seen.map((s) => `${s.method} ${s.url}`)).to.deep.equal([
      `POST ${WORKSPACE_ID}/provisionManagedNetwork?api-version=${ML_API_VERSION}`,
      "GET /poll/1",
      "GET /poll/1",
    ]);
    expect(JSON.parse(arm.seen[0].body)).to.deep.equal({ includeSpark: false });
    expect(arm.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).to.equal(true);
  });

  it("follows Azure-AsyncOperation to Succeeded, then reads the result at Location", async () => {
    const arm = await armServer([
      {
        status: 202,
        headers: { "azure-asyncoperation": "{base}/op/7", location: "{base}/result/7" },
      },
      { status: 200, body: { status: "InProgress" } },
      { status: 200, body: { status: "Succeeded" } },
      { status: 200, body: { status: "Active", sparkReady: false } },
    ]);
    server = arm.server;
    const result = await armAction(
      "provisioning",
      "/x/provisionManagedNetwork",
      {
        accessToken: TOKEN,
        endpoint: arm.base,
        ...FAST,
      },
      {},
    );
    expect(result).to.deep.equal({ status: "Active", sparkReady: false });
    expect(arm.seen.map((s) => s.url)).to.deep.equal([
      "/x/provisionManagedNetwork",
      "/op/7",
      "/op/7",
      "/result/7",
    ]);
  });

  it("fails with ARM's code and message when the operation fails", async () => {
    const arm = await armServer([
      { status: 202, headers: { "azure-asyncoperation": "{base}/op/9" } },
      {
        status: 200,
        body: {
          status: "Failed",
          error: { code: "QuotaExceeded", message: "no private endpoints left" },
        },
      },
    ]);
    server = arm.server;
    const provider = managedNetworkProvider(FAST);
    let failure: unknown;
    try {
      await provider.create!({
        workspaceId: WORKSPACE_ID,
        accessToken: TOKEN,
        armEndpoint: arm.base,
      });
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.equal(
      `provisioning the managed network of ${WORKSPACE_ID} failed (Failed): QuotaExceeded: no private endpoints left`,
    );
  });

  it("fails with ARM's code and message when the call is refused", async () => {
    const arm = await armServer([
      {
        status: 403,
        body: {
          error: { code: "AuthorizationFailed", message: "no provisionManagedNetwork/action" },
        },
      },
    ]);
    server = arm.server;
    const error = await armAction(
      "provisioning",
      "/x",
      { accessToken: TOKEN, endpoint: arm.base, ...FAST },
      {},
    )
      .then(() => undefined)
      .catch((err: Error) => err);
    expect(error?.message).to.equal(
      "provisioning failed (HTTP 403): AuthorizationFailed: no provisionManagedNetwork/action",
    );
  });

  it("gives up when the operation outlasts its timeout", async () => {
    const arm = await armServer(
      Array.from({ length: 50 }, () => ({ status: 202, headers: { location: "{base}/poll" } })),
    );
    server = arm.server;
    const error = await armAction(
      "provisioning",
      "/x",
      { accessToken: TOKEN, endpoint: arm.base, timeoutMs: 30, maxPollMs: 5 },
      {},
    )
      .then(() => undefined)
      .catch((err: Error) => err);
    expect(error?.message).to.match(/^provisioning did not finish within/);
  });

  it("provisions anew only for another workspace, and ignores a new token", async () => {
    const provider = managedNetworkProvider(FAST);
    const olds = {
      workspaceId: WORKSPACE_ID,
      armEndpoint: "a",
      status: "Active",
      sparkReady: false,
    };
    expect(
      await provider.diff!("id", olds, {
        workspaceId: WORKSPACE_ID,
        accessToken: "new",
        armEndpoint: "a",
      }),
    ).to.deep.include({ changes: false, replaces: [] });
    expect(
      await provider.diff!("id", olds, {
        workspaceId: `${WORKSPACE_ID}2`,
        accessToken: "t",
        armEndpoint: "a",
      }),
    ).to.deep.include({ changes: true, replaces: ["workspaceId"] });
  });
});
