import { describe, expect, it } from "vitest";
import { chunkBySize, SQS_LIMITS } from "../../../shared/envelope";

const sized = (...sizes: number[]) => sizes.map((bytes, index) => ({ index, bytes }));
const indexes = (chunks: ReadonlyArray<ReadonlyArray<{ index: number }>>) => chunks.map((chunk) => chunk.map((item) => item.index));

describe("Function: chunkBySize", () => {
  it("returns no requests when there is nothing to send", () => {
    // Act
    const chunks = chunkBySize([]);

    // Assess
    expect(chunks).toEqual([]);
  });

  it("returns requests of at most ten entries, in order, when the entries are small", () => {
    // Prepare
    const items = sized(...Array<number>(23).fill(100));

    // Act
    const chunks = chunkBySize(items);

    // Assess
    expect(chunks.map((chunk) => chunk.length)).toEqual([SQS_LIMITS.batchEntries, SQS_LIMITS.batchEntries, 3]);
    expect(indexes(chunks).flat()).toEqual(items.map((item) => item.index));
  });

  it("starts a new request when the next body would take the sum over the batch bytes", () => {
    // Prepare
    const half = SQS_LIMITS.batchBytes / 2;

    // Act
    const chunks = chunkBySize(sized(half, half, 1, half));

    // Assess
    expect(indexes(chunks)).toEqual([[0, 1], [2, 3]]);
  });

  it("gives an entry over the batch bytes a request to itself, so the destination decides", () => {
    // Act
    const chunks = chunkBySize(sized(10, SQS_LIMITS.batchBytes + 1, 10));

    // Assess
    expect(indexes(chunks)).toEqual([[0], [1], [2]]);
  });

  it("uses the limits it is given when a destination has its own", () => {
    // Act
    const chunks = chunkBySize(sized(40, 40, 40, 40), Number.MAX_SAFE_INTEGER, 100);

    // Assess
    expect(indexes(chunks)).toEqual([[0, 1], [2, 3]]);
  });
});
