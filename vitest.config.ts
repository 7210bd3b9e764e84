import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
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
