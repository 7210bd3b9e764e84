import { z } from "zod";

/** A config option holding an http(s) URL; "is required" when missing, so the key's path says the rest. */
export const httpUrl = () =>
  z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? "is required" : "must be an http(s) URL") });
