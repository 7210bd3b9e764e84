import { describe, expect, it } from "vitest";
import { KeyPrefix, prefixOf, StoreKey } from "../../../shared/store";

describe("Object: StoreKey", () => {
  describe("Method: object", () => {
    it("returns obj#<cluster>/<uid>", () => {
      // Act & Assess
      expect(StoreKey.object("prod-eu", "0b7c")).toBe("obj#prod-eu/0b7c");
    });

    it("returns a key the object prefix of its cluster and the bare object prefix both cover", () => {
      // Act
      const key = StoreKey.object("prod-eu", "0b7c");

      // Assess
      expect(key.startsWith(StoreKey.objectPrefix("prod-eu"))).toBe(true);
      expect(key.startsWith(StoreKey.objectPrefix())).toBe(true);
      expect(key.startsWith(StoreKey.objectPrefix("prod"))).toBe(false);
    });
  });

  describe("Method: receiver", () => {
    it("returns the receiver's own key behind rcv#", () => {
      // Act & Assess
      expect(StoreKey.receiver("scm/github/status/o/r@abc/build")).toBe("rcv#scm/github/status/o/r@abc/build");
    });
  });

  describe("Method: pause", () => {
    it("returns the key of a credential's pause: host in lower case, then the credential id", () => {
      // Act & Assess
      expect(StoreKey.pause("GitHub.com", "token-0123456789abcdef")).toBe("pause#github.com#token-0123456789abcdef");
    });
  });

  describe("Method: signature", () => {
    it("returns sig#<hex>", () => {
      // Act & Assess
      expect(StoreKey.signature("ab12")).toBe("sig#ab12");
    });
  });

  describe("Method: cloudEvent", () => {
    it("returns one fixed-length key per cluster, source and id", () => {
      // Act
      const key = StoreKey.cloudEvent("a", "src", "id-1");

      // Assess
      expect(key).toMatch(/^ce#[0-9a-f]{64}$/);
      expect(StoreKey.cloudEvent("a", "src", "id-1")).toBe(key);
      expect(StoreKey.cloudEvent("b", "src", "id-1")).not.toBe(key);
    });
  });

  describe("Method: runMessage", () => {
    it("returns one receiver key per receiver, cluster and run, behind rcv# in the table", () => {
      // Act
      const key = StoreKey.runMessage("team-chat", "prod", "0b7c");

      // Assess
      expect(key).toBe("chat/team-chat/message/prod/0b7c");
      expect(StoreKey.runMessage("team-chat", "stage", "0b7c")).not.toBe(key);
      expect(prefixOf(StoreKey.receiver(key))).toBe(KeyPrefix.receiver);
    });
  });

  describe("Method: lastFinished", () => {
    it("returns one fixed-length key per cluster and status name", () => {
      // Act
      const key = StoreKey.lastFinished("prod", "ci/build");

      // Assess
      expect(key).toMatch(/^fin#[0-9a-f]{64}$/);
      expect(StoreKey.lastFinished("prod", "ci/build")).toBe(key);
      expect(StoreKey.lastFinished("stage", "ci/build")).not.toBe(key);
      expect(StoreKey.lastFinished("prod", "ci/deploy")).not.toBe(key);
    });
  });
});

describe("Function: prefixOf", () => {
  it("returns the kind of every key StoreKey builds", () => {
    // Act & Assess
    expect(prefixOf(StoreKey.object("c", "u"))).toBe(KeyPrefix.object);
    expect(prefixOf(StoreKey.receiver(StoreKey.pause("h", "c")))).toBe(KeyPrefix.receiver);
    expect(prefixOf(StoreKey.signature("ab"))).toBe(KeyPrefix.signature);
    expect(prefixOf(StoreKey.cloudEvent("c", "s", "i"))).toBe(KeyPrefix.cloudEvent);
    expect(prefixOf(StoreKey.lastFinished("c", "ci/build"))).toBe(KeyPrefix.finished);
  });

  it("returns undefined for a key of no known kind", () => {
    // Act & Assess
    expect(prefixOf("other#x")).toBeUndefined();
    expect(prefixOf("plain")).toBeUndefined();
  });
});
