import { describe, expect, it } from "vitest";
import { OpenApiValidator } from "../../helpers/fake-scm";

const validator = OpenApiValidator.github();
const sha = "c".repeat(40);

describe("Class: OpenApiValidator", () => {
  describe("Method: validate", () => {
    it("returns no violations for a conforming check-run update", () => {
      // Act
      const violations = validator.validate({
        method: "PATCH",
        path: "/repos/acme/shop/check-runs/12",
        query: {},
        body: { status: "completed", conclusion: "success", output: { title: "ci", summary: "Done" } },
      });

      // Assess
      expect(violations).toEqual([]);
    });

    it("returns a violation when a required body field is missing", () => {
      // Act
      const violations = validator.validate({ method: "POST", path: "/repos/acme/shop/check-runs", query: {}, body: { name: "ci" } });

      // Assess
      expect(violations).toEqual(["POST /repos/acme/shop/check-runs (checks/create): body.head_sha: required"]);
    });

    it("returns violations for a value outside its enum, a wrong type and an unknown property", () => {
      // Act
      const violations = validator.validate({
        method: "POST",
        path: `/repos/acme/shop/statuses/${sha}`,
        query: {},
        body: { state: "running", description: 7, key: "ci" },
      });

      // Assess
      expect(violations).toHaveLength(3);
      expect(violations.join("\n")).toMatch(/body.state: "running" is not one of/);
      expect(violations.join("\n")).toMatch(/body.description: expected string, got number/);
      expect(violations.join("\n")).toMatch(/body.key: not defined by the schema/);
    });

    it("returns a violation when completed comes without a conclusion (the update's anyOf)", () => {
      // Act
      const violations = validator.validate({ method: "PATCH", path: "/repos/acme/shop/check-runs/12", query: {}, body: { status: "completed" } });

      // Assess
      expect(violations).toEqual(["PATCH /repos/acme/shop/check-runs/12 (checks/update): body: matches none of the anyOf alternatives"]);
    });

    it("returns violations for an unknown operation, a non-integer path id and an unknown query parameter", () => {
      // Act
      const unknown = validator.validate({ method: "PUT", path: "/repos/acme/shop/check-runs", query: {}, body: undefined });
      const badId = validator.validate({ method: "GET", path: "/repos/acme/shop/check-runs/abc", query: {}, body: undefined });
      const badQuery = validator.validate({ method: "GET", path: `/repos/acme/shop/commits/${sha}/check-runs`, query: { name: "ci" }, body: undefined });

      // Assess
      expect(unknown).toEqual(["PUT /repos/acme/shop/check-runs: no operation in the OpenAPI description"]);
      expect(badId).toEqual(["GET /repos/acme/shop/check-runs/abc (checks/get): path.check_run_id: expected integer, got string"]);
      expect(badQuery).toEqual([`GET /repos/acme/shop/commits/${sha}/check-runs (checks/list-for-ref): query.name: not a parameter of this operation`]);
    });
  });
});
