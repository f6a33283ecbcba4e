import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR, comparePair, nodeCommand } from "./pair";

/**
 * Why the components import provider submodules: the type check of one resource per cloud
 * through the providers' roots against the same through their submodules.
 */
const runs = Number(process.argv[2] ?? 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlplatform-typecheck-"));

function program(file: string, imports: string[], body: string): string {
  const source = path.join(dir, `${file}.ts`);
  fs.writeFileSync(source, `${imports.join("\n")}\n${body}\n`);
  const tsconfig = path.join(dir, `${file}.tsconfig.json`);
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: "commonjs",
        target: "ES2022",
        types: [],
        typeRoots: [path.join(PROJECT_DIR, "node_modules", "@types")],
        baseUrl: PROJECT_DIR,
        paths: { "*": [path.join(PROJECT_DIR, "node_modules", "*")] },
      },
      files: [source],
    }),
  );
  return tsconfig;
}

const roots = program(
  "roots",
  [
    'import * as aws from "@pulumi/aws";',
    'import * as azure from "@pulumi/azure-native";',
    'import * as gcp from "@pulumi/gcp";',
  ],
  'new aws.s3.Bucket("b");\nnew azure.storage.StorageAccount("s", { resourceGroupName: "rg", kind: "StorageV2", sku: { name: "Standard_LRS" } });\nnew gcp.storage.Bucket("g", { location: "US" });',
);
const submodules = program(
  "submodules",
  [
    'import * as s3 from "@pulumi/aws/s3";',
    'import * as storage from "@pulumi/azure-native/storage";',
    'import * as gcs from "@pulumi/gcp/storage";',
  ],
  'new s3.Bucket("b");\nnew storage.StorageAccount("s", { resourceGroupName: "rg", kind: "StorageV2", sku: { name: "Standard_LRS" } });\nnew gcs.Bucket("g", { location: "US" });',
);
const tsc = path.join(PROJECT_DIR, "node_modules", "typescript", "bin", "tsc");
void comparePair(
  nodeCommand("tsc: provider roots", [tsc, "-p", roots]),
  nodeCommand("tsc: provider submodules", [tsc, "-p", submodules]),
  runs,
).then((result) => {
  console.log(result.text);
  fs.rmSync(dir, { recursive: true, force: true });
});
