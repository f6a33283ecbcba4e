import { previewThroughCli } from "../engine/grpcEngine";
import { PLACEHOLDERS } from "../engine/placeholders";
import { loadStackConfig } from "../engine/stackConfig";
import {
  type Benchmarked,
  PROJECT_DIR,
  RSS_PROBE_ARGS,
  comparePair,
  nodeCommand,
  probedRssMiB,
  verdict,
} from "./pair";

/**
 * `pulumi preview --stack dev` as the user waits for it: the program run through
 * `@pulumi/pulumi/cmd/run`, started as the Node.js language host starts it with the project's
 * own Pulumi.yaml and tsconfig, against the in-process gRPC engine; against bare loading of the
 * SDK. The CLI's own work (providers' Check and Diff) is not part of it.
 */
const runs = Number(process.argv[2] ?? 5);
const stack = "dev";
const config = loadStackConfig(PROJECT_DIR, stack);
const preview: Benchmarked = {
  label: `program through cmd/run, stack ${stack}`,
  async sample() {
    const started = process.hrtime.bigint();
    const result = await previewThroughCli(PROJECT_DIR, config, PLACEHOLDERS, RSS_PROBE_ARGS);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      throw new Error(`the program exited ${result.status}: ${result.stderr.slice(0, 500)}`);
    }
    return { wallMs, maxRssMiB: probedRssMiB(result.stderr) };
  },
};
const bareSdk = nodeCommand("require(@pulumi/pulumi)", ["-e", "require('@pulumi/pulumi')"]);

void comparePair(preview, bareSdk, runs).then((result) => {
  console.log(result.text);
  console.log(verdict("wall ratio", result.wallRatio, 2.5, "x"));
  console.log(verdict("peak memory", result.maxRssMiB, 400, " MiB"));
});
