import { describe, expect, it } from "vitest";
import {
  bitbucketCloudStateToPhase,
  bitbucketServerStateToPhase,
  checkRunToPhase,
  CommitStatusPhase,
  COMMIT_STATUS_PHASES,
  giteaStateToPhase,
  gitHubStatusToPhase,
  gitLabStateToPhase,
  phaseToBitbucketCloudState,
  phaseToBitbucketServerState,
  phaseToCheckRun,
  phaseToGiteaState,
  phaseToGitHubStatus,
  phaseToGitLabState,
  UnmappedStateError,
  type CommitStatusPhase as Phase,
} from "../../../shared/scm/providers";

/** DESIGN §6, one row per phase; Bitbucket Server from its build-status API. */
const TABLE: readonly {
  phase: Phase;
  checkRun: string;
  githubStatus: string;
  gitlab: string;
  bitbucketCloud: string;
  bitbucketServer: string;
  gitea: string;
}[] = [
  { phase: "queued", checkRun: "queued", githubStatus: "pending", gitlab: "pending", bitbucketCloud: "INPROGRESS", bitbucketServer: "INPROGRESS", gitea: "pending" },
  { phase: "in_progress", checkRun: "in_progress", githubStatus: "pending", gitlab: "running", bitbucketCloud: "INPROGRESS", bitbucketServer: "INPROGRESS", gitea: "pending" },
  { phase: "success", checkRun: "completed/success", githubStatus: "success", gitlab: "success", bitbucketCloud: "SUCCESSFUL", bitbucketServer: "SUCCESSFUL", gitea: "success" },
  { phase: "failure", checkRun: "completed/failure", githubStatus: "failure", gitlab: "failed", bitbucketCloud: "FAILED", bitbucketServer: "FAILED", gitea: "failure" },
  { phase: "canceled", checkRun: "completed/cancelled", githubStatus: "error", gitlab: "canceled", bitbucketCloud: "STOPPED", bitbucketServer: "CANCELLED", gitea: "error" },
];

/** Provider states that stand for two phases read back as the earlier one (`pending` → queued). */
const READ_BACK: Record<string, Phase> = { pending: "queued", INPROGRESS: "in_progress" };

interface Mapping {
  name: string;
  column: keyof Omit<(typeof TABLE)[number], "phase">;
  toState: (phase: Phase) => string;
  toPhase: (state: string) => Phase;
  unmapped: string[];
}

const checkRunString = (phase: Phase): string => {
  const { status, conclusion } = phaseToCheckRun(phase);
  return conclusion ? `${status}/${conclusion}` : status;
};

const MAPPINGS: Mapping[] = [
  {
    name: "GitHub check run",
    column: "checkRun",
    toState: checkRunString,
    toPhase: (state) => {
      const [status, conclusion] = state.split("/");
      return checkRunToPhase(status!, conclusion);
    },
    unmapped: ["completed/neutral", "completed/skipped", "completed/timed_out", "waiting", "completed/"],
  },
  { name: "GitHub commit status", column: "githubStatus", toState: phaseToGitHubStatus, toPhase: gitHubStatusToPhase, unmapped: ["queued", "SUCCESS", ""] },
  { name: "GitLab", column: "gitlab", toState: phaseToGitLabState, toPhase: gitLabStateToPhase, unmapped: ["created", "skipped", "manual", "cancelled"] },
  { name: "Bitbucket Cloud", column: "bitbucketCloud", toState: phaseToBitbucketCloudState, toPhase: bitbucketCloudStateToPhase, unmapped: ["CANCELLED", "successful"] },
  { name: "Bitbucket Server", column: "bitbucketServer", toState: phaseToBitbucketServerState, toPhase: bitbucketServerStateToPhase, unmapped: ["UNKNOWN", "STOPPED"] },
  { name: "Gitea", column: "gitea", toState: phaseToGiteaState, toPhase: giteaStateToPhase, unmapped: ["warning", "running"] },
];

describe("Function: phase mappings", () => {
  it("covers every CommitStatus phase in the table", () => {
    // Assess
    expect(TABLE.map((row) => row.phase)).toEqual(COMMIT_STATUS_PHASES);
  });

  for (const mapping of MAPPINGS) {
    describe(`Mapping: ${mapping.name}`, () => {
      it.each(TABLE)("returns the provider state for phase $phase", (row) => {
        // Act
        const state = mapping.toState(row.phase);

        // Assess
        expect(state).toBe(row[mapping.column]);
      });

      it.each(TABLE)("returns a phase that writes the same state again for phase $phase", (row) => {
        // Prepare
        const state = row[mapping.column];

        // Act
        const phase = mapping.toPhase(state);

        // Assess
        expect(phase).toBe(READ_BACK[state] ?? row.phase);
        expect(mapping.toState(phase)).toBe(state);
      });

      it.each(mapping.unmapped)("throws UnmappedStateError when the provider state is %j", (state) => {
        // Act & Assess
        expect(() => mapping.toPhase(state)).toThrow(UnmappedStateError);
      });

      it("throws UnmappedStateError naming the value when the phase is not a CommitStatus phase", () => {
        // Act & Assess
        expect(() => mapping.toState("cancelled" as Phase)).toThrow(/CommitStatus phase "cancelled" has no mapping/);
      });
    });
  }

  it("keeps the phase constants equal to the CRD's enum values", () => {
    // Assess
    expect(Object.values(CommitStatusPhase)).toEqual(["queued", "in_progress", "success", "failure", "canceled"]);
  });
});

describe("Function: lookupPhase (prototype keys)", () => {
  it("throws UnmappedStateError for a state named after an Object.prototype member", async () => {
    // Prepare
    const { giteaStateToPhase, gitHubStatusToPhase } = await import("../../../shared/scm/providers");

    // Act & Assess
    expect(() => giteaStateToPhase("toString")).toThrow(/has no mapping/);
    expect(() => gitHubStatusToPhase("constructor")).toThrow(/has no mapping/);
  });
});
