import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { HOURS_PER_MONTH, resolveInstance } from "../../policies/catalog";
import { usd } from "../../policies/lib/values";
import { PROJECT_DIR } from "../cli";

/** Runs a command in `cwd`, failing the test with its output when it fails. */
function sh(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

const git = (cwd: string, ...args: string[]) =>
  sh(cwd, "git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", ...args]);

/**
 * A repository holding this project's files, one commit, with the project's installed
 * dependencies linked in (not committed), as a pull request's checkout after `npm ci`.
 */
function fixtureRepository(dir: string): void {
  const files = sh(PROJECT_DIR, "git", [
    "ls-files",
    "-z",
    "--cached",
    "--others",
    "--exclude-standard",
  ])
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(PROJECT_DIR, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
  }
  git(dir, "init", "--quiet");
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "-m", "base");
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
}

describe("the pull-request job's offline steps (.ci/pull-request)", function () {
  this.timeout(600_000);

  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pull-request-"));
    fs.mkdirSync(path.join(dir, "repo"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("plans only the changed stack at both commits, posts its cost diff and fails on a budget cut", () => {
    const repo = path.join(dir, "repo");
    fixtureRepository(repo);
    const base = git(repo, "rev-parse", "HEAD").trim();
    const stackFile = path.join(repo, "Pulumi.dev.yaml");
    const document = parse(fs.readFileSync(stackFile, "utf8")) as {
      config: Record<string, unknown>;
    };
    const endpoint = (document.config["mlplatform:endpoints"] as Record<string, number>[])[0];
    endpoint.maxReplicas += 2;
    document.config["mlplatform:budgetMonthlyUsd"] = 1;
    fs.writeFileSync(stackFile, stringify(document));
    git(repo, "commit", "--quiet", "--all", "-m", "dev: two more replicas, a budget of $1");

    const out = path.join(dir, "report");
    const result = spawnSync("bash", [".ci/pull-request", base, out], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(result.stderr).to.equal("");
    expect(result.status, "a mandatory violation fails the job").to.equal(1);

    const comment = fs.readFileSync(path.join(out, "comment.md"), "utf8");
    expect(comment.startsWith("<!-- mlplatform-pull-request-report -->\n")).to.equal(true);
    expect(comment.match(/^### Stack `[^`]+`$/gm), "only dev changed").to.deep.equal([
      "### Stack `dev`",
    ]);
    const size = (endpoint as unknown as { size: Parameters<typeof resolveInstance>[0] }).size;
    const awsDelta = 2 * HOURS_PER_MONTH * resolveInstance(size, "aws", "hosting").hourlyUsd;
    const aws = comment.slice(comment.indexOf("**aws**"), comment.indexOf("**azure**"));
    const delta = usd(Math.round(awsDelta * 100) / 100).replace(/[$.]/g, "\\$&");
    expect(aws).to.match(
      new RegExp(`^\\| peak ceiling \\| \\$[\\d,.]+ \\| \\$[\\d,.]+ \\| \\+${delta} \\|$`, "m"),
    );
    expect(comment).to.match(/^- \*\*mandatory\*\* `monthly-ceiling-within-budget` on /m);
    expect(comment).to.match(/^\*\*Gate\*\*: gate: failed: [1-9]\d* mandatory/m);

    // The pieces of the comment are the commands' own outputs, kept beside it.
    expect(fs.readdirSync(out).sort()).to.deep.equal([
      "comment.md",
      "dev.base-plan.txt",
      "dev.base.json",
      "dev.diff.err",
      "dev.diff.md",
      "dev.gate.txt",
      "dev.head.json",
      "dev.plan.txt",
    ]);
    expect(comment).to.include(fs.readFileSync(path.join(out, "dev.diff.md"), "utf8"));
    expect(
      git(repo, "worktree", "list").trim().split("\n"),
      "the base checkout is removed",
    ).to.have.length(1);
  });
});
