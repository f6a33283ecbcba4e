import { comparePair, nodeCommand, verdict } from "./pair";

/**
 * The offline plan of a stack against bare loading of the Pulumi SDK and the three providers'
 * ML submodules: what running the real program (every component, the recording monitor, the
 * export) costs on top of loading what it cannot do without.
 */
const runs = Number(process.argv[2] ?? 5);
const bareLoad = nodeCommand("require(sdk, sagemaker, machinelearningservices, vertex)", [
  "-e",
  [
    "@pulumi/pulumi",
    "@pulumi/aws/sagemaker",
    "@pulumi/azure-native/machinelearningservices",
    "@pulumi/gcp/vertex",
  ]
    .map((m) => `require(${JSON.stringify(m)});`)
    .join(""),
]);

void (async () => {
  for (const stack of ["dev", "aws-prod"]) {
    const plan = nodeCommand(`plan --stack ${stack} --json`, [
      "--require",
      "./loader/register.js",
      "engine/cli.ts",
      "plan",
      "--stack",
      stack,
      "--json",
    ]);
    const result = await comparePair(plan, bareLoad, runs);
    console.log(result.text);
    if (stack === "dev") console.log(verdict("wall ratio", result.wallRatio, 1.5, "x"));
  }
})();
