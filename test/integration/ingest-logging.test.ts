import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../shared/log";
import { admissionEvent, ADMISSION_TOKEN, CLOUDEVENTS_TOKEN, fixture, httpEvent, job, useIngest, type Json } from "../helpers/ingest-harness";

// Powertools reads both when the logger is constructed, on import; vi.hoisted
// runs before the imports. At INFO the request event would be printed if the
// handler let Powertools log it.
const previous = vi.hoisted(() => {
  const saved = { level: process.env.POWERTOOLS_LOG_LEVEL, event: process.env.POWERTOOLS_LOGGER_LOG_EVENT };
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = "true";
  return saved;
});

/** Tokens nobody registered with the logger: only the code's own masking can keep them out. */
const GUESSED = "guessed-admission-token-0123456789";
const MISTYPED = "MistypedPathToken0123456789";
const WRONG_CE = "wrong-cloudevents-token-0123456789";

const binary = fixture("pipelinerun-successful.binary.json") as { headers: Record<string, string>; body: Json };

const review = (object: unknown): string =>
  JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: { uid: "review-logged", kind: { group: "batch", version: "v1", kind: "Job" }, operation: "UPDATE", namespace: "ci", name: "nightly", object },
  });

describe("Function: ingest logging", () => {
  const rig = useIngest();
  const printed: string[] = [];
  const statuses: number[] = [];

  beforeAll(async () => {
    // Under POWERTOOLS_DEV (set for tests) the logger writes through the global console.
    for (const method of ["debug", "info", "warn", "error", "log"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    }
    // The handler as deployed: the Powertools logger, not a recording one.
    const invoke = rig.handlerWith({}, { log: logger });
    const requests = [
      admissionEvent(review(job("nightly", "uid-logged-ok", "1"))),
      admissionEvent("{not json"),
      admissionEvent(review({ ...job("nightly", "uid-logged-big", "2"), metadata: { name: "nightly", namespace: "ci", uid: "u".repeat(200) } })),
      admissionEvent(review(job("nightly", "uid-logged-guess", "3")), GUESSED),
      admissionEvent("{}", MISTYPED, `/Admission/${MISTYPED}/extra`),
      httpEvent({ routeKey: "/cloudevents", path: "/cloudevents", query: { token: WRONG_CE }, headers: binary.headers, body: JSON.stringify(binary.body) }),
      httpEvent({ routeKey: "/cloudevents", path: "/cloudevents", query: { token: CLOUDEVENTS_TOKEN }, headers: { ...binary.headers, "ce-cluster": "elsewhere" }, body: JSON.stringify(binary.body) }),
    ];
    for (const request of requests) statuses.push((await invoke(request)).statusCode);
  });

  afterAll(() => {
    vi.restoreAllMocks();
    for (const [name, value] of [["POWERTOOLS_LOG_LEVEL", previous.level], ["POWERTOOLS_LOGGER_LOG_EVENT", previous.event]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const lines = (): Json[] => printed.map((text) => JSON.parse(text) as Json);

  it("answers every request as expected, so the lines below come from each kind of outcome", () => {
    // Assess
    expect(statuses).toEqual([200, 400, 400, 401, 404, 401, 403]);
  });

  it("never prints a token, whether registered as a secret or only guessed by a client", () => {
    // Act
    const leaks = [ADMISSION_TOKEN, CLOUDEVENTS_TOKEN, GUESSED, MISTYPED, WRONG_CE].filter((token) => printed.some((text) => text.includes(token)));

    // Assess
    expect(printed.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });

  it("logs the admission route with the token masked, and the mistyped path with its token masked", () => {
    // Act
    const routes = lines().map((line) => line.route).filter((route) => route !== undefined);

    // Assess
    expect(routes).toEqual(
      expect.arrayContaining(["POST /admission/{token}", "POST /Admission/{token}/extra", "POST /cloudevents"]),
    );
    expect(lines().find((line) => String(line.error).startsWith("no route for"))?.error).toBe("no route for POST /Admission/{token}/extra");
  });

  it("never prints the request event, whatever POWERTOOLS_LOGGER_LOG_EVENT says", () => {
    // Assess
    expect(lines().filter((line) => line.message === "Lambda invocation event")).toEqual([]);
    expect(printed.some((text) => text.includes("x-forwarded-for"))).toBe(false);
  });
});
