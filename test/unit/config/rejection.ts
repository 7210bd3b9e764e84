import { expect } from "vitest";
import { ConfigError } from "../../../shared/config";

/** The ConfigError `act` throws; fails the test when it returns or throws anything else. */
export const rejectionOf = (act: () => unknown): ConfigError => {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.unreachable("expected a ConfigError") as never;
};

/** A valid config to build cases on: one watch entry, no receivers. */
export const BASE_YAML = "cluster: prod\nwatch:\n  - { group: tekton.dev, version: v1, resource: pipelineruns }\n";
