/**
 * Measurements taken in pairs (the code and its reference one after the
 * other, several times): on a shared machine the speed drifts within a run,
 * and a pair puts both sides under the same drift. The pair with the median
 * ratio is reported, beside every pair's ratio.
 */

/** The measurement with the median `ratio` (the upper one of an even count). */
export const medianBy = <T>(measured: readonly T[], ratio: (m: T) => number): T =>
  [...measured].sort((a, b) => ratio(a) - ratio(b))[Math.floor(measured.length / 2)]!;

/** Every pair's ratio, in the order measured, as the table shows them. */
export const ratiosText = (ratios: readonly number[]): string => ratios.map((r) => r.toFixed(2)).join(" / ");
