import {
  type CatalogRow,
  HOURS_PER_MONTH,
  catalogRows,
  describeGpu,
  describeInstance,
} from "../../policies/catalog";
import { type CommandHelp, parseFlags } from "../args";
import { renderTable } from "../table";

export const FLAGS = { json: { type: "boolean" } } as const;

export const HELP: CommandHelp<keyof typeof FLAGS> = {
  usage: "[--json]",
  description:
    "Prints the instance catalog: each canonical size mapped per cloud and use to an instance type, with its specifications, on-demand price, price region, source and date. Exit 0.",
  flags: {
    json: "print the rows as JSON, with every field",
  },
  examples: ["npm run catalog", "npm run catalog -- --json"],
};

/** A row as `npm run catalog -- --json` prints it. */
export function catalogJson(row: CatalogRow) {
  return {
    size: row.size,
    cloud: row.cloud,
    use: row.use,
    instanceType: row.instanceType,
    ...(row.accelerator === undefined ? {} : { accelerator: row.accelerator }),
    vcpus: row.vcpus,
    memoryGiB: row.memoryGiB,
    gpu: row.gpu,
    hourlyUsd: row.hourlyUsd,
    region: row.region,
    source: row.source,
    priceDate: row.priceDate,
    priceStatus: row.priceStatus,
    retired: row.retired,
  };
}

function table(rows: CatalogRow[]): string {
  const header = [
    "size",
    "cloud",
    "use",
    "instance type",
    "vCPU",
    "GiB",
    "GPU",
    "USD/h",
    "USD/month",
    "price",
  ];
  const body = rows.map((r) => [
    r.size,
    r.cloud,
    r.use,
    describeInstance(r),
    String(r.vcpus),
    String(r.memoryGiB),
    r.gpu === null ? "-" : describeGpu(r.gpu),
    r.hourlyUsd.toFixed(4),
    (r.hourlyUsd * HOURS_PER_MONTH).toFixed(0),
    `${r.priceStatus}, ${r.region}, ${r.priceDate ?? "undated"}`,
  ]);
  return renderTable(header, body).join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS, "catalog");
  const rows = catalogRows();
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(rows.map(catalogJson), null, 2)}\n`
      : `${table(rows)}\n\nUSD/month = USD/h x ${HOURS_PER_MONTH} hours. Sources: npm run catalog -- --json\n`,
  );
  return 0;
}
