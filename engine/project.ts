import * as path from "node:path";

/** The project's root: where `Pulumi.yaml`, the stack files and `index.ts` are. */
export const PROJECT_DIR = path.resolve(__dirname, "..");
