import * as pulumi from "@pulumi/pulumi";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { SIZE_NAMES, isSizeName, unavailableReason } from "../policies/catalog";
import {
  AZURE_PRINCIPAL_TYPES,
  CLOUDS,
  type Cloud,
  type EndpointSpec,
  type PlatformSpec,
  TIERS,
  type TeamSpec,
  type Tier,
  type TrainingSpec,
  type Use,
} from "../policies/platform";

/** One thing wrong with a stack's config: the key (with its path), the value, what is allowed. */
export interface ConfigProblem {
  key: string;
  message: string;
}

export type SpecResult =
  { ok: true; spec: PlatformSpec } | { ok: false; problems: ConfigProblem[] };

export const CONFIG_NAMESPACE = "mlplatform";

export const LIMITS = {
  maxTrainingNodes: 100,
  maxIdleMinutes: 10080,
  maxReplicas: 50,
  maxEndpoints: 20,
  /** Azure allows 50 tags a resource; the platform sets up to 4 of its own. */
  maxUserTags: 45,
  endpointName: { min: 3, max: 24 },
} as const;

/** Defaults applied where a key or field is left out. */
export const DEFAULTS = {
  training: {
    size: "cpu-4x16",
    minNodes: 0,
    maxNodes: 4,
    idleMinutes: 30,
  },
  /** Spot capacity for training is on in dev and off in prod. */
  spot: (tier: Tier): boolean => tier === "dev",
  /** Prod keeps two replicas so one zone or instance failure leaves the endpoint serving. */
  minReplicas: (tier: Tier): number => (tier === "prod" ? 2 : 1),
  maxReplicasOverMin: 2,
} as const;

/**
 * The provider keys each cloud needs, checked for shape. A key that is not `required` may be left
 * out: the provider then finds it in its own environment (`gcp:project` falls back to
 * GOOGLE_PROJECT and gcloud's project), and `index.ts` asks the provider for it.
 */
const PROVIDER_KEYS: Record<
  Cloud,
  Record<string, { pattern: RegExp; allowed: string; required: boolean }>
> = {
  aws: {
    "aws:region": {
      pattern: /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
      allowed: "an AWS region such as us-east-1",
      required: true,
    },
  },
  azure: {
    "azure-native:location": {
      pattern: /^[a-z][a-z0-9]+$/,
      allowed: "an Azure location name such as eastus or westeurope",
      required: true,
    },
  },
  gcp: {
    "gcp:project": {
      pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      allowed: "a GCP project id: 6-30 lowercase letters, digits and hyphens",
      required: false,
    },
    "gcp:region": {
      pattern: /^[a-z]+-[a-z]+\d+$/,
      allowed: "a GCP region such as us-central1",
      required: true,
    },
  },
};

const SIZE_LIST = SIZE_NAMES.join(", ");
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const RESERVED_TAG_PREFIXES = ["mlplatform-", "aws:", "azure", "microsoft", "windows", "goog"];
/** Physical names fold runs of hyphens into one, so names with `--` could collide. */
const ENDPOINT_NAME = /^[a-z](-?[a-z0-9])*$/;
const SHORT_NAME = /^[a-z](-?[a-z0-9]){1,31}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GCP_MEMBER = /^(user|group|serviceAccount):[^@\s]+@[^@\s]+\.[^@\s]+$/;
const GCP_MEMBER_ALLOWED =
  "use an IAM member such as user:alice@contoso.com or group:ml-team@contoso.com";

/** Domains reserved for documentation and tests (RFC 2606, RFC 6761): no principal lives there. */
const RESERVED_DOMAINS = ["example.com", "example.net", "example.org"];
const RESERVED_TOP_LEVEL_DOMAINS = ["example", "test", "invalid", "localhost"];
/** The all-zero GUID prefix documentation uses for object ids; Entra never issues it. */
const PLACEHOLDER_GUID_PREFIX = "00000000-0000-0000-0000-";

/**
 * Why a principal is a documentation placeholder, or `undefined` for one that may exist. IAM and
 * role-assignment creation fail on principals that do not exist, so a stack naming one is refused
 * before anything is declared.
 */
export function placeholderReason(principal: string): string | undefined {
  const lower = principal.toLowerCase();
  if (lower.startsWith(PLACEHOLDER_GUID_PREFIX)) {
    return "a documentation placeholder, not an object id Microsoft Entra issues; use the member's object id (az ad user show --id <upn> --query id)";
  }
  const domain = lower.includes("@") ? lower.slice(lower.lastIndexOf("@") + 1) : undefined;
  if (domain === undefined) {
    return undefined;
  }
  const reserved =
    RESERVED_DOMAINS.find((d) => domain === d || domain.endsWith(`.${d}`)) ??
    RESERVED_TOP_LEVEL_DOMAINS.find((tld) => domain === tld || domain.endsWith(`.${tld}`));
  return reserved === undefined
    ? undefined
    : `${reserved} is reserved for documentation, so no such principal exists; use a real member of your organisation`;
}

/** Refuses documentation placeholders, naming why. */
const notPlaceholder = (value: string, ctx: z.RefinementCtx) => {
  const reason = placeholderReason(value);
  if (reason !== undefined) {
    ctx.addIssue({ code: "custom", message: reason, input: value });
  }
};

const intIn = (min: number, max: number) =>
  z
    .number({ error: `use an integer from ${min} to ${max}` })
    .int({ error: `use an integer from ${min} to ${max}` })
    .min(min, { error: `use an integer from ${min} to ${max}` })
    .max(max, { error: `use an integer from ${min} to ${max}` });

const sizeSchema = z.string({ error: `use one of ${SIZE_LIST}` }).refine(isSizeName, {
  error: `use one of ${SIZE_LIST}`,
});

const trainingSchema = z.strictObject(
  {
    size: sizeSchema.optional(),
    minNodes: intIn(0, LIMITS.maxTrainingNodes).optional(),
    maxNodes: intIn(1, LIMITS.maxTrainingNodes).optional(),
    idleMinutes: intIn(1, LIMITS.maxIdleMinutes).optional(),
    spot: z.boolean({ error: "use true or false" }).optional(),
  },
  { error: "use an object {size, minNodes, maxNodes, idleMinutes, spot}" },
);

const endpointSchema = z.strictObject(
  {
    name: z
      .string({ error: "use a name of lowercase letters, digits and hyphens" })
      .min(LIMITS.endpointName.min, {
        error: `use ${LIMITS.endpointName.min} to ${LIMITS.endpointName.max} characters`,
      })
      .max(LIMITS.endpointName.max, {
        error: `use ${LIMITS.endpointName.min} to ${LIMITS.endpointName.max} characters`,
      })
      .regex(ENDPOINT_NAME, {
        error:
          "use lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit",
      }),
    size: sizeSchema,
    minReplicas: intIn(0, LIMITS.maxReplicas).optional(),
    maxReplicas: intIn(1, LIMITS.maxReplicas).optional(),
  },
  { error: "use an object {name, size, minReplicas, maxReplicas}" },
);

const memberSchema = z.strictObject(
  {
    name: z.string({ error: "use a user name" }).regex(SHORT_NAME, {
      error: "use 2-32 lowercase letters, digits and single hyphens, starting with a letter",
    }),
    azurePrincipalId: z
      .string({ error: "use the member's Microsoft Entra object id (a GUID)" })
      .regex(GUID, { error: "use the member's Microsoft Entra object id (a GUID)" })
      .superRefine(notPlaceholder)
      .optional(),
    azurePrincipalType: z
      .enum(AZURE_PRINCIPAL_TYPES, { error: `use ${AZURE_PRINCIPAL_TYPES.join(" or ")}` })
      .optional(),
    gcpMember: z
      .string({ error: GCP_MEMBER_ALLOWED })
      .regex(GCP_MEMBER, { error: GCP_MEMBER_ALLOWED })
      .superRefine(notPlaceholder)
      .optional(),
  },
  { error: "use an object {name, azurePrincipalId, azurePrincipalType, gcpMember}" },
);

const teamSchema = z.strictObject(
  {
    name: z.string({ error: "use a team name" }).regex(SHORT_NAME, {
      error: "use 2-32 lowercase letters, digits and single hyphens, starting with a letter",
    }),
    members: z.array(memberSchema, { error: "use a list of members" }),
  },
  { error: "use an object {name, members}" },
);

const tagsSchema = z
  .record(
    z.string().regex(LABEL_KEY, {
      error:
        "use a key of at most 63 lowercase letters, digits, '_' or '-', starting with a letter",
    }),
    z.string({ error: "use a string value" }).regex(LABEL_VALUE, {
      error: "use a value of at most 63 lowercase letters, digits, '_' or '-'",
    }),
    { error: "use a map of tag keys to values" },
  )
  .refine((tags) => Object.keys(tags).length <= LIMITS.maxUserTags, {
    error: `use at most ${LIMITS.maxUserTags} tags`,
  });

/** The keys under `mlplatform:`, their parsed shape and schema. */
const KEYS = {
  clouds: {
    json: true,
    schema: z
      .array(z.enum(CLOUDS, { error: `use ${CLOUDS.join(", ")}` }), {
        error: `use a list of ${CLOUDS.join(", ")}`,
      })
      .min(1, { error: `use a non-empty list of ${CLOUDS.join(", ")}` }),
  },
  tier: { json: false, schema: z.enum(TIERS, { error: `use ${TIERS.join(" or ")}` }) },
  budgetMonthlyUsd: {
    json: true,
    schema: z
      .number({ error: "use a number of US dollars greater than 0" })
      .positive({ error: "use a number of US dollars greater than 0" })
      .optional(),
  },
  training: { json: true, schema: trainingSchema.optional() },
  endpoints: {
    json: true,
    schema: z
      .array(endpointSchema, { error: "use a list of endpoints" })
      .max(LIMITS.maxEndpoints, { error: `use at most ${LIMITS.maxEndpoints} endpoints` })
      .optional(),
  },
  teams: { json: true, schema: z.array(teamSchema, { error: "use a list of teams" }).optional() },
  tags: { json: true, schema: tagsSchema.optional() },
} as const;

type KeyName = keyof typeof KEYS;
const KEY_NAMES = Object.keys(KEYS) as KeyName[];
const REQUIRED_KEYS: readonly KeyName[] = ["clouds", "tier"];

/** Show a config value in a message: JSON, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) {
    return "(missing)";
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

/** The known key a typo most likely meant: one a few edits away, or one it is the start of. */
function suggest(word: string, known: readonly string[]): string {
  const lower = word.toLowerCase();
  const best = closest(word, known as string[]);
  const near = distance(word, best) <= Math.max(2, Math.floor(word.length / 3));
  const extended =
    lower.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(lower)) : undefined;
  const meant = near ? best : extended;
  return meant !== undefined ? `did you mean "${meant}"?` : `known keys are ${known.join(", ")}`;
}

const SCHEMA_FIELDS: Record<string, readonly string[]> = {
  training: Object.keys(trainingSchema.shape),
  endpoint: Object.keys(endpointSchema.shape),
  member: Object.keys(memberSchema.shape),
  team: Object.keys(teamSchema.shape),
};

function fieldsAt(key: KeyName, path: readonly PropertyKey[]): readonly string[] {
  if (key === "training") return SCHEMA_FIELDS.training;
  if (key === "endpoints") return SCHEMA_FIELDS.endpoint;
  if (key === "teams") return path.length > 1 ? SCHEMA_FIELDS.member : SCHEMA_FIELDS.team;
  return [];
}

function zodProblems(key: KeyName, error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const where = `${CONFIG_NAMESPACE}:${key}${pathText(issue.path)}`;
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({
        key: `${where}.${k}`,
        message: `unknown key; ${suggest(k, fieldsAt(key, issue.path))}`,
      }));
    }
    if (issue.code === "invalid_key") {
      const badKey = issue.path[issue.path.length - 1];
      const inner = issue.issues[0]?.message ?? issue.message;
      return [{ key: where, message: `tag key ${showValue(badKey)} is not allowed; ${inner}` }];
    }
    const input = (issue as { input?: unknown }).input;
    const verb = input === undefined ? "is required" : `${showValue(input)} is not allowed`;
    return [{ key: where, message: `${verb}; ${issue.message}` }];
  });
}

function decode(key: KeyName, raw: string): { value: unknown } | { problem: ConfigProblem } {
  if (!KEYS[key].json) {
    return { value: raw };
  }
  try {
    return { value: JSON.parse(raw) };
  } catch {
    return {
      problem: {
        key: `${CONFIG_NAMESPACE}:${key}`,
        message: `${showValue(raw)} is not allowed; use a YAML value of the right shape (a list, object or number), not a string`,
      },
    };
  }
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

interface Parsed {
  clouds?: Cloud[];
  tier?: Tier;
  budgetMonthlyUsd?: number;
  training?: z.infer<typeof trainingSchema>;
  endpoints?: z.infer<typeof endpointSchema>[];
  teams?: TeamSpec[];
  tags?: Record<string, string>;
}

function checkSizeOnClouds(
  key: string,
  size: string,
  use: Use,
  clouds: readonly Cloud[],
): ConfigProblem[] {
  if (!isSizeName(size)) return [];
  return clouds.flatMap((cloud) => {
    const reason = unavailableReason(size, cloud, use);
    return reason === undefined
      ? []
      : [
          {
            key,
            message: `${showValue(size)} is not available on ${cloud} (${reason}); use a size every listed cloud offers, or remove ${cloud} from mlplatform:clouds`,
          },
        ];
  });
}

/** Whether a value passed its own range check, so relating it to another value makes sense. */
const inRange = (v: number, min: number, max: number) =>
  Number.isInteger(v) && v >= min && v <= max;
const asNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const asString = (v: unknown) => (typeof v === "string" ? v : undefined);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Rules that relate values to each other (min to max, a size to the listed clouds, members to the
 * listed clouds). They read the decoded values leniently, so they run even where another field of
 * the same object failed its own check: the user sees every problem at once.
 */
function crossChecks(
  decoded: Partial<Record<KeyName, unknown>>,
  raw: Record<string, string>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const listed = asList(decoded.clouds).filter((c): c is Cloud =>
    (CLOUDS as readonly unknown[]).includes(c),
  );
  const clouds = [...new Set(listed)];
  const tierValue = asString(decoded.tier);
  const tier = (TIERS as readonly string[]).includes(tierValue ?? "")
    ? (tierValue as Tier)
    : undefined;
  const at = (key: string) => `${CONFIG_NAMESPACE}:${key}`;

  for (const dup of duplicates(listed)) {
    problems.push({ key: at("clouds"), message: `"${dup}" is listed twice; list each cloud once` });
  }
  for (const cloud of clouds) {
    for (const [key, rule] of Object.entries(PROVIDER_KEYS[cloud])) {
      const value = raw[key];
      if ((value === undefined || value === "") && rule.required) {
        problems.push({
          key,
          message: `is required because ${cloud} is listed in mlplatform:clouds; use ${rule.allowed}`,
        });
      } else if (value !== undefined && value !== "" && !rule.pattern.test(value)) {
        problems.push({ key, message: `${showValue(value)} is not allowed; use ${rule.allowed}` });
      }
    }
  }

  const training = asRecord(decoded.training);
  const trainingSize = asString(training.size);
  if (trainingSize !== undefined) {
    problems.push(...checkSizeOnClouds(at("training.size"), trainingSize, "training", clouds));
  }
  const minNodes = asNumber(training.minNodes) ?? DEFAULTS.training.minNodes;
  const maxNodes = asNumber(training.maxNodes) ?? DEFAULTS.training.maxNodes;
  if (
    inRange(minNodes, 0, LIMITS.maxTrainingNodes) &&
    inRange(maxNodes, 1, LIMITS.maxTrainingNodes) &&
    minNodes > maxNodes
  ) {
    problems.push({
      key: at("training.minNodes"),
      message: `${minNodes} is not allowed; use at most training.maxNodes (${maxNodes})`,
    });
  }

  const endpoints = asList(decoded.endpoints).map(asRecord);
  const endpointNames = endpoints
    .map((e) => asString(e.name))
    .filter((n): n is string => n !== undefined);
  for (const dup of duplicates(endpointNames)) {
    problems.push({
      key: at("endpoints"),
      message: `name "${dup}" is used twice; give each endpoint its own name`,
    });
  }
  endpoints.forEach((endpoint, i) => {
    const where = `endpoints[${i}]`;
    const size = asString(endpoint.size);
    if (size !== undefined) {
      problems.push(...checkSizeOnClouds(at(`${where}.size`), size, "hosting", clouds));
    }
    const min = asNumber(endpoint.minReplicas) ?? (tier ? DEFAULTS.minReplicas(tier) : 1);
    const max = asNumber(endpoint.maxReplicas) ?? min + DEFAULTS.maxReplicasOverMin;
    if (inRange(min, 0, LIMITS.maxReplicas) && inRange(max, 1, LIMITS.maxReplicas) && min > max) {
      problems.push({
        key: at(`${where}.minReplicas`),
        message: `${min} is not allowed; use at most ${where}.maxReplicas (${max})`,
      });
    }
    // 0 asks for as low as each cloud's service goes (the catalog's SCALE_FLOORS): SageMaker
    // serverless inference where the size fits it, else one instance; one replica on Azure ML
    // and Vertex AI; the `cost` report names each floor taken.
    if (min === 0 && tier === "prod") {
      problems.push({
        key: at(`${where}.minReplicas`),
        message: "0 is not allowed in prod; use 1 or more (prod endpoints stay warm)",
      });
    }
  });

  const teams = asList(decoded.teams).map(asRecord);
  const teamNames = teams.map((t) => asString(t.name)).filter((n): n is string => n !== undefined);
  for (const dup of duplicates(teamNames)) {
    problems.push({
      key: at("teams"),
      message: `name "${dup}" is used twice; give each team its own name`,
    });
  }
  const members = teams.map((t) => asList(t.members).map(asRecord));
  const memberNames = members
    .flat()
    .map((m) => asString(m.name))
    .filter((n): n is string => n !== undefined);
  for (const dup of duplicates(memberNames)) {
    problems.push({
      key: at("teams"),
      message: `member "${dup}" is listed twice; list each member once`,
    });
  }
  members.forEach((list, t) =>
    list.forEach((member, m) => {
      const where = `teams[${t}].members[${m}]`;
      if (member.azurePrincipalType !== undefined && member.azurePrincipalId === undefined) {
        problems.push({
          key: at(`${where}.azurePrincipalType`),
          message: "is set without azurePrincipalId; give the Entra object id it describes",
        });
      }
      if (clouds.includes("azure") && member.azurePrincipalId === undefined) {
        problems.push({
          key: at(`${where}.azurePrincipalId`),
          message:
            "is required because azure is listed; use the member's Microsoft Entra object id (a GUID)",
        });
      }
      if (clouds.includes("gcp") && member.gcpMember === undefined) {
        problems.push({
          key: at(`${where}.gcpMember`),
          message: `is required because gcp is listed; ${GCP_MEMBER_ALLOWED}`,
        });
      }
    }),
  );

  for (const key of Object.keys(asRecord(decoded.tags))) {
    const reserved = RESERVED_TAG_PREFIXES.find((prefix) => key.startsWith(prefix));
    if (reserved !== undefined) {
      problems.push({
        key: at(`tags.${key}`),
        message: `tag key "${key}" is not allowed; keys starting with "${reserved}" are reserved`,
      });
    }
  }
  return problems;
}

function toSpec(
  p: Required<Pick<Parsed, "clouds" | "tier">> & Parsed,
  raw: Record<string, string>,
  project: string,
  stack: string,
): PlatformSpec {
  const tier = p.tier;
  const training: TrainingSpec = {
    size: p.training?.size ?? DEFAULTS.training.size,
    minNodes: p.training?.minNodes ?? DEFAULTS.training.minNodes,
    maxNodes: p.training?.maxNodes ?? DEFAULTS.training.maxNodes,
    idleMinutes: p.training?.idleMinutes ?? DEFAULTS.training.idleMinutes,
    spot: p.training?.spot ?? DEFAULTS.spot(tier),
  };
  const endpoints: EndpointSpec[] = (p.endpoints ?? []).map((e) => {
    const minReplicas = e.minReplicas ?? DEFAULTS.minReplicas(tier);
    return {
      name: e.name,
      size: e.size,
      minReplicas,
      maxReplicas: e.maxReplicas ?? minReplicas + DEFAULTS.maxReplicasOverMin,
    };
  });
  const has = (cloud: Cloud) => p.clouds.includes(cloud);
  return {
    project,
    stack,
    clouds: p.clouds,
    tier,
    ...(p.budgetMonthlyUsd === undefined ? {} : { budgetMonthlyUsd: p.budgetMonthlyUsd }),
    training,
    endpoints,
    teams: p.teams ?? [],
    tags: p.tags ?? {},
    ...(has("aws") ? { aws: { region: raw["aws:region"] } } : {}),
    ...(has("azure") ? { azure: { location: raw["azure-native:location"] } } : {}),
    ...(has("gcp")
      ? {
          gcp: {
            ...(raw["gcp:project"] ? { project: raw["gcp:project"] } : {}),
            region: raw["gcp:region"],
          },
        }
      : {}),
  };
}

/**
 * Parses and validates a stack's whole config (`pulumi.runtime.allConfig()`: keys such as
 * `mlplatform:training` with JSON-encoded values) into a `PlatformSpec`. Every problem is
 * reported at once; nothing is returned half-valid.
 */
export function parsePlatformSpec(
  raw: Record<string, string>,
  context: { project: string; stack: string },
): SpecResult {
  const problems: ConfigProblem[] = [];
  const parsed: Parsed = {};
  const decodedValues: Partial<Record<KeyName, unknown>> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;

  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (!(KEY_NAMES as string[]).includes(key)) {
      problems.push({ key: fullKey, message: `unknown key; ${suggest(key, KEY_NAMES)}` });
      continue;
    }
    const decoded = decode(key as KeyName, value);
    if ("problem" in decoded) {
      problems.push(decoded.problem);
      continue;
    }
    decodedValues[key as KeyName] = decoded.value;
    const result = KEYS[key as KeyName].schema.safeParse(decoded.value, { reportInput: true });
    if (result.success) {
      Object.assign(parsed, { [key]: result.data });
    } else {
      problems.push(...zodProblems(key as KeyName, result.error));
    }
  }
  for (const key of REQUIRED_KEYS) {
    if (raw[`${prefix}${key}`] === undefined) {
      const allowed = key === "clouds" ? `a list of ${CLOUDS.join(", ")}` : TIERS.join(" or ");
      problems.push({ key: `${prefix}${key}`, message: `is required; use ${allowed}` });
    }
  }
  problems.push(...crossChecks(decodedValues, raw));

  const { clouds, tier } = parsed;
  if (problems.length > 0 || clouds === undefined || tier === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    spec: toSpec({ ...parsed, clouds, tier }, raw, context.project, context.stack),
  };
}

/** The problems as the user reads them: one line each, under one heading. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.key}: ${p.message}`);
  const noun = problems.length === 1 ? "problem" : "problems";
  return [`the stack's config has ${problems.length} ${noun}:`, ...lines].join("\n");
}

/**
 * Bad stack config. A `RunError`, so `pulumi up` prints the message without a stack trace; the
 * offline engine prints it and exits 2.
 */
export class ConfigError extends pulumi.RunError {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
  }
}
