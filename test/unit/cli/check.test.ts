import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCheck } from "../../../cli/check";

const dir = mkdtempSync(join(tmpdir(), "kf-check-"));
const configFile = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const check = async (file: string | undefined) => {
  let printed = "";
  const code = await runCheck({ file, out: (line) => void (printed += line) });
  return { code, printed };
};

const HEAD = `cluster: prod
watch:
  - { group: batch, version: v1, resource: jobs }
`;

describe("Function: runCheck", () => {
  afterEach(() => {
    delete process.env.KF_CHECK_SECRET;
    delete process.env.KF_CHECK_KUBECONFIG;
  });

  it("exits 0 for the embedded default", async () => {
    const { code, printed } = await check(undefined);
    expect(code).toBe(0);
    expect(printed).toContain("every secret reference resolves");
  });

  it("exits 0 when every reference resolves", async () => {
    // Prepare
    process.env.KF_CHECK_SECRET = "a-key-long-enough";
    const file = configFile(
      "good.yaml",
      `${HEAD}receivers:
  - { name: hook, type: webhook, options: { url: "https://example.com/hook", secret: "env:KF_CHECK_SECRET" } }
`,
    );

    // Act
    const { code, printed } = await check(file);

    // Assess
    expect(code).toBe(0);
    expect(printed).toContain("receivers: hook");
  });

  it("lists every receiver that cannot start and the kubeconfig reference, and exits 2", async () => {
    // Prepare
    const file = configFile(
      "broken.yaml",
      `${HEAD}receivers:
  - { name: hook, type: webhook, options: { url: "https://example.com/hook", secret: "env:KF_CHECK_SECRET" } }
  - { name: chat, type: console }
  - name: bb
    type: scm
    options: { provider: bitbucket-cloud, username: ci, password: "env:KF_CHECK_SECRET" }
kubernetes:
  kubeconfig: "env:KF_CHECK_KUBECONFIG"
`,
    );

    // Act
    const { code, printed } = await check(file);

    // Assess
    expect(code).toBe(2);
    const lines = printed.trim().split("\n");
    expect(lines).toEqual([
      "✗ cannot start receiver hook: options.secret: environment variable KF_CHECK_SECRET is not set",
      expect.stringMatching(/^✗ cannot start receiver bb: .*processing\.dashboardUrl/),
      "✗ kubernetes.kubeconfig: environment variable KF_CHECK_KUBECONFIG is not set",
      `${file}: 3 problems`,
    ]);
  });

  it("reports an invalid config with its key and exits 2", async () => {
    const file = configFile("typo.yaml", `${HEAD}receivers:\n  - { name: hook, type: webhook, optons: {} }\n`);
    const { code, printed } = await check(file);
    expect(code).toBe(2);
    expect(printed).toContain("receivers[0].optons: unknown key");
  });
});
