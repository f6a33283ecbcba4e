import type { ChildProcess } from "node:child_process";
import type * as grpc from "@grpc/grpc-js";

/** A generated client's unary method, in its callback form. */
export type Unary<Req, Res> = (
  request: Req,
  callback: (err: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** One unary call of `client`'s `method`, as a promise. */
export function unary<Req, Res>(
  method: Unary<Req, Res>,
  client: grpc.Client,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, (err, response) =>
      err === null ? resolve(response) : reject(err),
    ),
  );
}

/**
 * The port a Pulumi plugin (a policy pack, the dynamic-provider host) serves on: the first line
 * of its stdout that is a number, as the engine reads it. Fails, with what the process printed,
 * when it exits before.
 */
export function servedPort(child: ChildProcess, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.on("error", reject);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line !== null) resolve(Number(line[1]));
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) =>
      reject(new Error(`${what} exited with ${code} before it served:\n${stdout}${stderr}`)),
    );
  });
}
