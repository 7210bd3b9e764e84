import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ResyncSchedule } from "../../../cli/run/resync-schedule";
import { checkStandaloneConfig } from "../../../cli/run/standalone";
import type { ResyncReport } from "../../../shared/commitstatus";
import { ConfigError, parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";

const BASE = { cluster: "standalone", watch: [{ group: "batch", version: "v1", resource: "jobs" }] };

describe("Function: checkStandaloneConfig", () => {
  it("accepts a config without a kubernetes block", () => {
    // Act & Assess
    expect(() => checkStandaloneConfig(parseConfig(BASE))).not.toThrow();
  });

  it.each([
    { kubernetes: { via: "relay" }, path: "kubernetes.via", reason: /is its cluster's relay/ },
    { kubernetes: { kubeconfig: "env:KUBECONFIG_YAML" }, path: "kubernetes.kubeconfig", reason: /--kubeconfig, KUBECONFIG or its pod's service account/ },
    { kubernetes: { eks: { clusterName: "c", endpoint: "https://x.eks.amazonaws.com", caData: "Y2E=", region: "eu-west-1" } }, path: "kubernetes.eks", reason: /remove it/ },
    { kubernetes: { kubeconfig: "env:A", clusters: { other: { kubeconfig: "env:B" } } }, path: "kubernetes.kubeconfig", reason: /remove it/ },
    { kubernetes: { clusters: { other: { via: "relay" } } }, path: "kubernetes.clusters.other", reason: /its queue takes no other cluster's relay/ },
  ])("throws ConfigError naming $path", ({ kubernetes, path, reason }) => {
    // Prepare
    const config = parseConfig({ ...BASE, kubernetes });

    // Act
    const attempt = () => checkStandaloneConfig(config);

    // Assess
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).path).toBe(path);
      expect((error as ConfigError).reason).toMatch(reason);
    }
  });
});

describe("Class: ResyncSchedule", () => {
  const report: ResyncReport = { listed: 2, checked: 1, verdicts: { Completed: 1 } };
  const logged: Array<[string, string]> = [];
  const text = (message: unknown): string => (typeof message === "string" ? message : JSON.stringify(message));
  const log: Log = {
    debug: () => undefined,
    info: (message) => void logged.push(["info", text(message)]),
    warn: (message) => void logged.push(["warn", text(message)]),
    error: (message) => void logged.push(["error", text(message)]),
  };

  beforeEach(() => {
    vi.useFakeTimers();
    logged.length = 0;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe("Method: start", () => {
    it("resyncs once per interval while leading, and not while standing by", async () => {
      // Prepare
      let leading = false;
      const resync = vi.fn(async () => report);
      const schedule = new ResyncSchedule({ resync, intervalMs: 1_000, leading: () => leading, log });

      // Act
      schedule.start();
      await vi.advanceTimersByTimeAsync(2_500);
      const standingBy = resync.mock.calls.length;
      leading = true;
      await vi.advanceTimersByTimeAsync(3_000);
      await schedule.stop();

      // Assess
      expect(standingBy).toBe(0);
      expect(resync).toHaveBeenCalledTimes(3);
      expect(schedule.runs).toBe(3);
    });

    it("logs a failed resync and runs the next one as planned", async () => {
      // Prepare
      const resync = vi.fn<() => Promise<ResyncReport>>().mockRejectedValueOnce(new Error("API server down")).mockResolvedValue(report);
      const schedule = new ResyncSchedule({ resync, intervalMs: 1_000, leading: () => true, log });

      // Act
      schedule.start();
      await vi.advanceTimersByTimeAsync(2_000);
      await schedule.stop();

      // Assess
      expect(resync).toHaveBeenCalledTimes(2);
      expect(logged).toEqual([
        ["error", "resync failed; the next one runs as planned"],
        ["info", "resync done"],
      ]);
    });

    it("never starts a resync while the previous one runs", async () => {
      // Prepare: a resync that takes three intervals.
      let running = 0;
      let overlapped = false;
      const resync = vi.fn(async () => {
        overlapped ||= running > 0;
        running++;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        running--;
        return report;
      });
      const schedule = new ResyncSchedule({ resync, intervalMs: 1_000, leading: () => true, log });

      // Act
      schedule.start();
      await vi.advanceTimersByTimeAsync(8_500);
      await schedule.stop();

      // Assess: one every four seconds (the interval after each three-second run).
      expect(overlapped).toBe(false);
      expect(resync).toHaveBeenCalledTimes(2);
    });
  });

  describe("Method: constructor", () => {
    it("throws RangeError for an interval that is not positive", () => {
      // Act & Assess
      expect(() => new ResyncSchedule({ resync: async () => report, intervalMs: 0, leading: () => true, log })).toThrow(RangeError);
    });
  });
});
