import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take tens of seconds each: a real kube-apiserver, the CLI as
 * a child process, the chaos runs, `osls package`. They start first, so that
 * the short files fill the other worker's time around them instead of one of
 * these running alone at the end. A fresh checkout (CI) has no timings from
 * an earlier run, from which vitest would order them by itself.
 */
const HEAVY = [/[.-]apiserver\.test\.ts$/, /\/test\/e2e\//, /\/test\/chaos\//, /\/serverless-package\.test\.ts$/];

class HeavyFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const heavy = (file: TestSpecification) => HEAVY.some((pattern) => pattern.test(file.moduleId));
    return [...sorted.filter(heavy), ...sorted.filter((file) => !heavy(file))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Two files at a time. vitest's default leaves one CPU to itself (one
    // worker on a 2-CPU runner), while most of the long files wait on child
    // processes (kube-apiserver, etcd, the CLI) and on the emulators' timers.
    maxWorkers: 2,
    sequence: { sequencer: HeavyFirst },
    // Console output of a test (and its hooks) is printed only when it fails:
    // the expected warnings of passing tests would bury a failure's own lines.
    silent: "passed-only",
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "WARN",
      POWERTOOLS_DEV: "true",
    },
  },
});
