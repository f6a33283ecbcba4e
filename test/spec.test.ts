import { expect } from "chai";
import fc from "fast-check";
import { SIZE_NAMES } from "../policies/catalog";
import { ConfigError, formatProblems, parsePlatformSpec } from "../components/spec";
import { BASE_CONFIG, specWith } from "./harness";

const context = { project: "mlplatform", stack: "test" };

/** The problems for BASE_CONFIG with some keys replaced (values unencoded; undefined removes). */
function problemsWith(overrides: Record<string, unknown>): string[] {
  const config: Record<string, string> = { ...BASE_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete config[key];
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  const result = parsePlatformSpec(config, context);
  return result.ok ? [] : result.problems.map((p) => `${p.key}: ${p.message}`);
}

const training = (fields: Record<string, unknown>) => ({
  "mlplatform:training": { size: "cpu-4x16", minNodes: 0, maxNodes: 4, ...fields },
});
const endpoint = (fields: Record<string, unknown>) => ({
  "mlplatform:endpoints": [
    { name: "iris", size: "cpu-2x8", minReplicas: 1, maxReplicas: 3, ...fields },
  ],
});

describe("platform spec", () => {
  describe("a valid config", () => {
    it("parses into the spec with defaults filled", () => {
      const spec = specWith({ "mlplatform:training": { size: "gpu-t4x1" } });
      expect(spec).to.deep.equal({
        project: "mlplatform",
        stack: "test",
        clouds: ["aws", "azure", "gcp"],
        tier: "dev",
        training: { size: "gpu-t4x1", minNodes: 0, maxNodes: 4, idleMinutes: 30, spot: true },
        endpoints: [{ name: "iris", size: "cpu-2x8", minReplicas: 1, maxReplicas: 3 }],
        teams: [
          {
            name: "fraud",
            members: [
              {
                name: "alice",
                azurePrincipalId: "11111111-2222-3333-4444-555555555555",
                gcpMember: "user:alice@contoso.com",
              },
            ],
          },
        ],
        tags: { owner: "ml-platform", "cost-center": "cc-1234" },
        aws: { region: "us-east-1" },
        azure: { location: "eastus" },
        gcp: { project: "ml-platform-test", region: "us-central1" },
      });
    });

    it("defaults prod endpoints to two replicas and training to on-demand capacity", () => {
      const spec = specWith({
        "mlplatform:tier": "prod",
        "mlplatform:training": {},
        "mlplatform:endpoints": [{ name: "iris", size: "cpu-2x8" }],
      });
      expect(spec.endpoints[0]).to.deep.equal({
        name: "iris",
        size: "cpu-2x8",
        minReplicas: 2,
        maxReplicas: 4,
      });
      expect(spec.training.spot).to.equal(false);
    });

    it("keeps the budget", () => {
      expect(specWith({ "mlplatform:budgetMonthlyUsd": 1234.5 }).budgetMonthlyUsd).to.equal(1234.5);
    });

    it("takes equal lower and upper bounds", () => {
      const spec = specWith({
        ...training({ minNodes: 2, maxNodes: 2 }),
        ...endpoint({ minReplicas: 3, maxReplicas: 3 }),
      });
      expect([spec.training.minNodes, spec.training.maxNodes]).to.deep.equal([2, 2]);
      expect([spec.endpoints[0].minReplicas, spec.endpoints[0].maxReplicas]).to.deep.equal([3, 3]);
    });

    it("keeps a real zero", () => {
      const spec = specWith({ "mlplatform:training": { minNodes: 0, maxNodes: 1 } });
      expect(spec.training.minNodes).to.equal(0);
    });

    it("names only the targets of the listed clouds", () => {
      const spec = specWith({ "mlplatform:clouds": ["azure"] });
      expect(spec.azure).to.deep.equal({ location: "eastus" });
      expect(spec).to.not.have.property("aws");
      expect(spec).to.not.have.property("gcp");
    });

    it("lets an aws-only dev endpoint scale to zero", () => {
      const spec = specWith({ "mlplatform:clouds": ["aws"], ...endpoint({ minReplicas: 0 }) });
      expect(spec.endpoints[0].minReplicas).to.equal(0);
    });
  });

  describe("mlplatform:clouds", () => {
    it("is required", () => {
      expect(problemsWith({ "mlplatform:clouds": undefined })).to.deep.equal([
        "mlplatform:clouds: is required; use a list of aws, azure, gcp",
      ]);
    });
    it("is not empty", () => {
      expect(problemsWith({ "mlplatform:clouds": [] })).to.deep.equal([
        "mlplatform:clouds: [] is not allowed; use a non-empty list of aws, azure, gcp",
      ]);
    });
    it("names only known clouds", () => {
      expect(problemsWith({ "mlplatform:clouds": ["aws", "oci"] })).to.deep.equal([
        'mlplatform:clouds[1]: "oci" is not allowed; use aws, azure, gcp',
      ]);
    });
    it("lists each cloud once", () => {
      expect(problemsWith({ "mlplatform:clouds": ["aws", "aws"] })).to.deep.equal([
        'mlplatform:clouds: "aws" is listed twice; list each cloud once',
      ]);
    });
    it("is a list, not a string", () => {
      expect(problemsWith({ "mlplatform:clouds": "aws" })).to.deep.equal([
        'mlplatform:clouds: "aws" is not allowed; use a YAML value of the right shape (a list, object or number), not a string',
      ]);
    });
  });

  describe("mlplatform:tier", () => {
    it("is dev or prod", () => {
      expect(problemsWith({ "mlplatform:tier": "staging" })).to.deep.equal([
        'mlplatform:tier: "staging" is not allowed; use dev or prod',
      ]);
    });
    it("is required", () => {
      expect(problemsWith({ "mlplatform:tier": undefined })).to.deep.equal([
        "mlplatform:tier: is required; use dev or prod",
      ]);
    });
  });

  describe("mlplatform:budgetMonthlyUsd", () => {
    it("is greater than zero", () => {
      expect(problemsWith({ "mlplatform:budgetMonthlyUsd": 0 })).to.deep.equal([
        "mlplatform:budgetMonthlyUsd: 0 is not allowed; use a number of US dollars greater than 0",
      ]);
    });
    it("is a number", () => {
      expect(problemsWith({ "mlplatform:budgetMonthlyUsd": "lots" })).to.deep.equal([
        'mlplatform:budgetMonthlyUsd: "lots" is not allowed; use a YAML value of the right shape (a list, object or number), not a string',
      ]);
    });
  });

  describe("mlplatform:training", () => {
    it("takes a size from the catalog", () => {
      const [problem] = problemsWith(training({ size: "cpu-3x12" }));
      expect(problem).to.match(
        /^mlplatform:training\.size: "cpu-3x12" is not allowed; use one of cpu-2x4, cpu-2x8, /,
      );
    });
    it("takes a size every listed cloud offers for training", () => {
      expect(problemsWith(training({ size: "cpu-2x8" }))).to.deep.equal([
        'mlplatform:training.size: "cpu-2x8" is not available on gcp (Vertex AI training accepts no 2-vCPU standard machine type; n1-standard-4 is the smallest; for training, it runs on aws and azure); use a size every listed cloud offers, or remove gcp from mlplatform:clouds',
      ]);
      expect(
        problemsWith({ "mlplatform:clouds": ["aws", "azure"], ...training({ size: "cpu-2x8" }) }),
      ).to.deep.equal([]);
    });
    it("takes integers", () => {
      expect(problemsWith(training({ maxNodes: 2.5 }))).to.deep.equal([
        "mlplatform:training.maxNodes: 2.5 is not allowed; use an integer from 1 to 100",
      ]);
    });
    it("keeps minNodes at zero or more", () => {
      expect(problemsWith(training({ minNodes: -1 }))).to.deep.equal([
        "mlplatform:training.minNodes: -1 is not allowed; use an integer from 0 to 100",
      ]);
    });
    it("keeps maxNodes at one or more", () => {
      expect(problemsWith(training({ minNodes: 0, maxNodes: 0 }))).to.deep.equal([
        "mlplatform:training.maxNodes: 0 is not allowed; use an integer from 1 to 100",
      ]);
    });
    it("keeps minNodes at most maxNodes", () => {
      expect(problemsWith(training({ minNodes: 5, maxNodes: 2 }))).to.deep.equal([
        "mlplatform:training.minNodes: 5 is not allowed; use at most training.maxNodes (2)",
      ]);
    });
    it("relates minNodes to maxNodes only when both are valid on their own", () => {
      expect(problemsWith(training({ minNodes: 0, maxNodes: -1 }))).to.deep.equal([
        "mlplatform:training.maxNodes: -1 is not allowed; use an integer from 1 to 100",
      ]);
    });
    it("keeps idleMinutes at one or more", () => {
      expect(problemsWith(training({ idleMinutes: 0 }))).to.deep.equal([
        "mlplatform:training.idleMinutes: 0 is not allowed; use an integer from 1 to 10080",
      ]);
    });
    it("takes spot as a boolean", () => {
      expect(problemsWith(training({ spot: "yes" }))).to.deep.equal([
        'mlplatform:training.spot: "yes" is not allowed; use true or false',
      ]);
    });
    it("suggests the nearest field for a typo", () => {
      expect(problemsWith(training({ idleMinuts: 10 }))).to.deep.equal([
        'mlplatform:training.idleMinuts: unknown key; did you mean "idleMinutes"?',
      ]);
    });
  });

  describe("mlplatform:endpoints", () => {
    it("takes names valid on all three clouds", () => {
      expect(problemsWith(endpoint({ name: "Iris_Model" }))).to.deep.equal([
        'mlplatform:endpoints[0].name: "Iris_Model" is not allowed; use lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
      ]);
      expect(problemsWith(endpoint({ name: "iris--a" }))).to.deep.equal([
        'mlplatform:endpoints[0].name: "iris--a" is not allowed; use lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
      ]);
      expect(problemsWith(endpoint({ name: "a-very-long-endpoint-name-1" }))).to.deep.equal([
        'mlplatform:endpoints[0].name: "a-very-long-endpoint-name-1" is not allowed; use 3 to 24 characters',
      ]);
    });
    it("names a missing required field", () => {
      expect(problemsWith({ "mlplatform:endpoints": [{ name: "iris" }] })).to.deep.equal([
        `mlplatform:endpoints[0].size: is required; use one of ${SIZE_NAMES.join(", ")}`,
      ]);
    });
    it("takes unique names", () => {
      const iris = { name: "iris", size: "cpu-2x8" };
      expect(problemsWith({ "mlplatform:endpoints": [iris, iris] })).to.deep.equal([
        'mlplatform:endpoints: name "iris" is used twice; give each endpoint its own name',
      ]);
    });
    it("takes a size from the catalog", () => {
      const [problem] = problemsWith(endpoint({ size: "huge" }));
      expect(problem).to.match(
        /^mlplatform:endpoints\[0\]\.size: "huge" is not allowed; use one of /,
      );
    });
    it("keeps minReplicas at most maxReplicas", () => {
      expect(problemsWith(endpoint({ minReplicas: 4, maxReplicas: 3 }))).to.deep.equal([
        "mlplatform:endpoints[0].minReplicas: 4 is not allowed; use at most endpoints[0].maxReplicas (3)",
      ]);
    });
    it("takes zero replicas in dev on every cloud, as low as each service goes", () => {
      expect(problemsWith(endpoint({ minReplicas: 0 }))).to.deep.equal([]);
      const spec = specWith(endpoint({ minReplicas: 0 }));
      expect(spec.endpoints[0].minReplicas).to.equal(0);
    });
    it("takes zero replicas for a GPU size where aws is not listed", () => {
      expect(
        problemsWith({
          "mlplatform:clouds": ["gcp"],
          ...endpoint({ size: "gpu-t4x1", minReplicas: 0 }),
        }),
      ).to.deep.equal([]);
    });
    it("takes zero replicas for a GPU size on aws, which runs it on instances from 1", () => {
      expect(
        problemsWith({
          "mlplatform:clouds": ["aws", "azure"],
          ...endpoint({ size: "gpu-t4x1", minReplicas: 0 }),
        }),
      ).to.deep.equal([]);
    });
    it("refuses the serverless-sized cpu-2x4 on the clouds the catalog has no type for, naming aws", () => {
      expect(
        problemsWith({
          "mlplatform:clouds": ["aws", "gcp"],
          ...endpoint({ size: "cpu-2x4", minReplicas: 0 }),
        }),
      ).to.deep.equal([
        'mlplatform:endpoints[0].size: "cpu-2x4" is not available on gcp (the catalog prices no Vertex AI type of 2 vCPUs and 4 GiB for this use (none is in its dated price dataset); for hosting, it runs on aws); use a size every listed cloud offers, or remove gcp from mlplatform:clouds',
      ]);
    });
    it("refuses a size on a cloud that has no such GPU, naming the clouds that have it", () => {
      expect(problemsWith(endpoint({ size: "gpu-a100x1" }))).to.deep.equal([
        `mlplatform:endpoints[0].size: "gpu-a100x1" is not available on aws (no EC2 or SageMaker type carries one A100: p4d.24xlarge and p4de.24xlarge carry 8; for hosting, it runs on gcp); use a size every listed cloud offers, or remove aws from mlplatform:clouds`,
        `mlplatform:endpoints[0].size: "gpu-a100x1" is not available on azure (Azure's only 1-GPU A100 size, Standard_NC24ads_A100_v4, carries the 80 GB A100, not the 40 GB one; for hosting, it runs on gcp); use a size every listed cloud offers, or remove azure from mlplatform:clouds`,
      ]);
    });
    it("refuses zero replicas in prod", () => {
      expect(
        problemsWith({
          "mlplatform:clouds": ["aws"],
          "mlplatform:tier": "prod",
          ...endpoint({ minReplicas: 0 }),
        }),
      ).to.deep.equal([
        "mlplatform:endpoints[0].minReplicas: 0 is not allowed in prod; use 1 or more (prod endpoints stay warm)",
      ]);
    });
    it("keeps maxReplicas at one or more", () => {
      expect(problemsWith(endpoint({ maxReplicas: 0, minReplicas: 0, name: "iris" }))).to.include(
        "mlplatform:endpoints[0].maxReplicas: 0 is not allowed; use an integer from 1 to 50",
      );
    });
    it("suggests the nearest field for a typo", () => {
      expect(problemsWith(endpoint({ maxReplica: 3 }))).to.deep.equal([
        'mlplatform:endpoints[0].maxReplica: unknown key; did you mean "maxReplicas"?',
      ]);
    });
  });

  describe("mlplatform:teams", () => {
    const member = {
      name: "alice",
      azurePrincipalId: "11111111-2222-3333-4444-555555555555",
      gcpMember: "user:alice@contoso.com",
    };
    it("takes unique team names", () => {
      const team = { name: "fraud", members: [] };
      expect(problemsWith({ "mlplatform:teams": [team, team] })).to.deep.equal([
        'mlplatform:teams: name "fraud" is used twice; give each team its own name',
      ]);
    });
    it("lists each member once", () => {
      expect(
        problemsWith({
          "mlplatform:teams": [
            { name: "a1", members: [member] },
            { name: "b1", members: [member] },
          ],
        }),
      ).to.deep.equal(['mlplatform:teams: member "alice" is listed twice; list each member once']);
    });
    it("needs an Entra object id when azure is listed and a Google member when gcp is", () => {
      expect(
        problemsWith({ "mlplatform:teams": [{ name: "fraud", members: [{ name: "bob" }] }] }),
      ).to.deep.equal([
        "mlplatform:teams[0].members[0].azurePrincipalId: is required because azure is listed; use the member's Microsoft Entra object id (a GUID)",
        "mlplatform:teams[0].members[0].gcpMember: is required because gcp is listed; use an IAM member such as user:alice@contoso.com or group:ml-team@contoso.com",
      ]);
    });
    const membersProblems = (members: unknown[]) =>
      problemsWith({ "mlplatform:teams": [{ name: "fraud", members }] });
    it("checks the principal formats", () => {
      const bad = { ...member, azurePrincipalId: "alice", gcpMember: "alice@contoso.com" };
      expect(membersProblems([bad])).to.deep.equal([
        'mlplatform:teams[0].members[0].azurePrincipalId: "alice" is not allowed; use the member\'s Microsoft Entra object id (a GUID)',
        'mlplatform:teams[0].members[0].gcpMember: "alice@contoso.com" is not allowed; use an IAM member such as user:alice@contoso.com or group:ml-team@contoso.com',
      ]);
    });
    it("matches the principal formats at both ends", () => {
      const guid = "11111111-2222-3333-4444-555555555555";
      const badIds = [`x${guid}`, `${guid}x`];
      const badMembers = ["xuser:alice@contoso.com", "user:alice@contoso.com x"];
      badIds.forEach((id, i) =>
        expect(membersProblems([{ ...member, azurePrincipalId: id }])).to.deep.equal(
          [
            `mlplatform:teams[0].members[0].azurePrincipalId: ${JSON.stringify(id)} is not allowed; use the member's Microsoft Entra object id (a GUID)`,
          ],
          `id ${i}`,
        ),
      );
      badMembers.forEach((gcpMember) =>
        expect(membersProblems([{ ...member, gcpMember }])).to.deep.equal([
          `mlplatform:teams[0].members[0].gcpMember: ${JSON.stringify(gcpMember)} is not allowed; use an IAM member such as user:alice@contoso.com or group:ml-team@contoso.com`,
        ]),
      );
    });
    it("refuses documentation placeholders, which name no principal", () => {
      const placeholder = {
        ...member,
        azurePrincipalId: "00000000-0000-0000-0000-0000000a11ce",
        gcpMember: "user:alice@example.com",
      };
      expect(membersProblems([placeholder])).to.deep.equal([
        'mlplatform:teams[0].members[0].azurePrincipalId: "00000000-0000-0000-0000-0000000a11ce" is not allowed; a documentation placeholder, not an object id Microsoft Entra issues; use the member\'s object id (az ad user show --id <upn> --query id)',
        'mlplatform:teams[0].members[0].gcpMember: "user:alice@example.com" is not allowed; example.com is reserved for documentation, so no such principal exists; use a real member of your organisation',
      ]);
      for (const gcpMember of [
        "group:ml@EXAMPLE.ORG",
        "user:bob@corp.example.net",
        "serviceAccount:sa@build.test",
      ]) {
        expect(membersProblems([{ ...member, gcpMember }])).to.have.length(1, gcpMember);
      }
    });
    it("takes groups as well as users", () => {
      const group = {
        name: "ml-team",
        azurePrincipalId: "11111111-2222-3333-4444-555555555555",
        azurePrincipalType: "Group",
        gcpMember: "group:ml-team@contoso.com",
      };
      const spec = specWith({ "mlplatform:teams": [{ name: "fraud", members: [group] }] });
      expect(spec.teams[0].members[0]).to.deep.equal(group);
      expect(membersProblems([{ ...group, azurePrincipalType: "Team" }])).to.deep.equal([
        'mlplatform:teams[0].members[0].azurePrincipalType: "Team" is not allowed; use User or Group',
      ]);
      expect(
        problemsWith({
          "mlplatform:clouds": ["aws"],
          "mlplatform:teams": [
            { name: "fraud", members: [{ name: "bob", azurePrincipalType: "Group" }] },
          ],
        }),
      ).to.deep.equal([
        "mlplatform:teams[0].members[0].azurePrincipalType: is set without azurePrincipalId; give the Entra object id it describes",
      ]);
    });
    it("takes a plain name where the listed clouds need no principal", () => {
      const spec = specWith({
        "mlplatform:clouds": ["aws"],
        "mlplatform:teams": [{ name: "fraud", members: [{ name: "bob" }] }],
      });
      expect(spec.teams).to.deep.equal([{ name: "fraud", members: [{ name: "bob" }] }]);
    });
    it("suggests the nearest field for a typo in a team or a member", () => {
      expect(
        problemsWith({
          "mlplatform:teams": [{ name: "fraud", memebrs: [] }],
        }),
      ).to.include('mlplatform:teams[0].memebrs: unknown key; did you mean "members"?');
      expect(
        membersProblems([{ ...member, azurePrincipalID: member.azurePrincipalId }]),
      ).to.include(
        'mlplatform:teams[0].members[0].azurePrincipalID: unknown key; did you mean "azurePrincipalId"?',
      );
    });
  });

  describe("mlplatform:tags", () => {
    it("takes keys valid as GCP labels", () => {
      expect(problemsWith({ "mlplatform:tags": { Owner: "x" } })).to.deep.equal([
        "mlplatform:tags.Owner: tag key \"Owner\" is not allowed; use a key of at most 63 lowercase letters, digits, '_' or '-', starting with a letter",
      ]);
    });
    it("matches tag keys at both ends", () => {
      expect(problemsWith({ "mlplatform:tags": { "owner!": "x" } })).to.deep.equal([
        "mlplatform:tags.owner!: tag key \"owner!\" is not allowed; use a key of at most 63 lowercase letters, digits, '_' or '-', starting with a letter",
      ]);
    });
    it("takes values valid as GCP labels", () => {
      expect(problemsWith({ "mlplatform:tags": { owner: "ML Platform" } })).to.deep.equal([
        "mlplatform:tags.owner: \"ML Platform\" is not allowed; use a value of at most 63 lowercase letters, digits, '_' or '-'",
      ]);
    });
    it("keeps the platform's own keys", () => {
      expect(problemsWith({ "mlplatform:tags": { "mlplatform-tier": "prod" } })).to.deep.equal([
        'mlplatform:tags.mlplatform-tier: tag key "mlplatform-tier" is not allowed; keys starting with "mlplatform-" are reserved',
      ]);
    });
    it("holds at most 45 tags", () => {
      const tags = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`k${i}`, "v"]));
      const [problem] = problemsWith({ "mlplatform:tags": tags });
      expect(problem).to.match(
        /^mlplatform:tags: \{"k0":"v",.*\.\.\. is not allowed; use at most 45 tags$/,
      );
    });
  });

  describe("provider keys", () => {
    it("are required for each listed cloud", () => {
      expect(
        problemsWith({
          "aws:region": undefined,
          "azure-native:location": undefined,
          "gcp:region": undefined,
        }),
      ).to.deep.equal([
        "aws:region: is required because aws is listed in mlplatform:clouds; use an AWS region such as us-east-1",
        "azure-native:location: is required because azure is listed in mlplatform:clouds; use an Azure location name such as eastus or westeurope",
        "gcp:region: is required because gcp is listed in mlplatform:clouds; use a GCP region such as us-central1",
      ]);
    });
    it("leave gcp:project to the provider's environment when it is not set", () => {
      const spec = specWith({});
      expect(spec.gcp).to.deep.equal({ project: "ml-platform-test", region: "us-central1" });
      const config = { ...BASE_CONFIG };
      delete config["gcp:project"];
      const result = parsePlatformSpec(config, context);
      expect(result.ok && result.spec.gcp).to.deep.equal({ region: "us-central1" });
    });
    it("are not needed for clouds not listed", () => {
      expect(problemsWith({ "mlplatform:clouds": ["aws"], "gcp:region": undefined })).to.deep.equal(
        [],
      );
    });
    it("are checked for shape", () => {
      expect(problemsWith({ "azure-native:location": "East US" })).to.deep.equal([
        'azure-native:location: "East US" is not allowed; use an Azure location name such as eastus or westeurope',
      ]);
    });
    // Each value breaks the pattern at one end only, so a pattern missing ^ or $ lets it through.
    const anchored: [string, string, string][] = [
      ["aws:region", "us-east-1a", "use an AWS region such as us-east-1"],
      ["aws:region", "9us-east-1", "use an AWS region such as us-east-1"],
      [
        "azure-native:location",
        "eastus 2",
        "use an Azure location name such as eastus or westeurope",
      ],
      [
        "azure-native:location",
        "East-us",
        "use an Azure location name such as eastus or westeurope",
      ],
      ["gcp:region", "us-central1-a", "use a GCP region such as us-central1"],
      ["gcp:region", "1us-central1", "use a GCP region such as us-central1"],
      [
        "gcp:project",
        "my-project-",
        "use a GCP project id: 6-30 lowercase letters, digits and hyphens",
      ],
      [
        "gcp:project",
        "My-project-1",
        "use a GCP project id: 6-30 lowercase letters, digits and hyphens",
      ],
    ];
    for (const [key, value, allowed] of anchored) {
      it(`refuse ${key} ${JSON.stringify(value)}, matched at both ends`, () => {
        expect(problemsWith({ [key]: value })).to.deep.equal([
          `${key}: ${JSON.stringify(value)} is not allowed; ${allowed}`,
        ]);
      });
    }
  });

  describe("unknown keys", () => {
    it("suggest the nearest known key", () => {
      expect(problemsWith({ "mlplatform:endpoint": [] })).to.deep.equal([
        'mlplatform:endpoint: unknown key; did you mean "endpoints"?',
      ]);
    });
    it("suggest the key a shortened name starts", () => {
      expect(problemsWith({ "mlplatform:budget": 5 })).to.deep.equal([
        'mlplatform:budget: unknown key; did you mean "budgetMonthlyUsd"?',
      ]);
    });
    it("list the known keys when nothing is near", () => {
      expect(problemsWith({ "mlplatform:zzzzzzzz": 1 })).to.deep.equal([
        "mlplatform:zzzzzzzz: unknown key; known keys are clouds, tier, budgetMonthlyUsd, training, endpoints, teams, tags",
      ]);
    });
  });

  it("reports every problem at once", () => {
    expect(
      problemsWith({
        "mlplatform:tier": "qa",
        "mlplatform:training": { minNodes: -1 },
        "mlplatform:endpoints": [{ name: "iris", minReplicas: 3, maxReplicas: 2 }],
        "mlplatform:tags": { Bad: "x" },
        "aws:region": "us-east-1a",
      }),
    ).to.deep.equal([
      'mlplatform:tier: "qa" is not allowed; use dev or prod',
      "mlplatform:training.minNodes: -1 is not allowed; use an integer from 0 to 100",
      `mlplatform:endpoints[0].size: is required; use one of ${SIZE_NAMES.join(", ")}`,
      "mlplatform:tags.Bad: tag key \"Bad\" is not allowed; use a key of at most 63 lowercase letters, digits, '_' or '-', starting with a letter",
      'aws:region: "us-east-1a" is not allowed; use an AWS region such as us-east-1',
      "mlplatform:endpoints[0].minReplicas: 3 is not allowed; use at most endpoints[0].maxReplicas (2)",
    ]);
  });

  it("formats problems one per line under a count", () => {
    const error = new ConfigError([
      { key: "mlplatform:tier", message: "x is not allowed; use dev or prod" },
      { key: "mlplatform:clouds", message: "is required" },
    ]);
    expect(error.message).to.equal(
      [
        "the stack's config has 2 problems:",
        "  - mlplatform:tier: x is not allowed; use dev or prod",
        "  - mlplatform:clouds: is required",
      ].join("\n"),
    );
    expect(formatProblems([{ key: "k", message: "m" }])).to.equal(
      "the stack's config has 1 problem:\n  - k: m",
    );
  });

  it("never throws, whatever the values (property)", () => {
    const keys = ["clouds", "tier", "training", "endpoints", "teams", "tags", "budgetMonthlyUsd"];
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.json(), fc.string())),
        (values) => {
          const config = Object.fromEntries(
            Object.entries(values).map(([k, v]) => [`mlplatform:${k}`, v]),
          );
          const result = parsePlatformSpec({ ...BASE_CONFIG, ...config }, context);
          return (
            result.ok || result.problems.every((p) => p.key.length > 0 && p.message.length > 0)
          );
        },
      ),
    );
  });
});
