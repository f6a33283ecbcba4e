import { comparePair } from "./pair";

/**
 * The offline plan of a stack against bare loading of the Pulumi SDK: what running the real
 * program (three providers' submodules, every component, the recording monitor) costs on top of
 * starting Node with `@pulumi/pulumi`.
 */
const runs = Number(process.argv[2] ?? 5);
const bareSdk = { label: "require(@pulumi/pulumi)", args: ["-e", "require('@pulumi/pulumi')"] };
for (const stack of ["dev", "aws-prod"]) {
  const plan = {
    label: `plan --stack ${stack} --json`,
    args: ["--require", "tsx/cjs", "engine/cli.ts", "plan", "--stack", stack, "--json"],
  };
  console.log(comparePair(plan, bareSdk, runs));
}
