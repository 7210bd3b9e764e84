/**
 * What a million watch events would cost on AWS at list prices, from the
 * counts a replay measured: SQS requests (the relay's SendMessageBatch, the
 * event source's receive and delete per invocation), Lambda requests and
 * GB-seconds (measured handler time at the memory serverless.yml gives the
 * process function), DynamoDB request units (from the metered requests and
 * item sizes).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ROOT } from "./bundle";
import type { ReplayCalls } from "./calls";

/** us-east-1 list prices used; the table prints them. */
export const PRICES = {
  region: "us-east-1",
  sqsFifoPerMillionRequests: 0.5,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
} as const;

export interface CostEstimate {
  label: string;
  memoryMb: number;
  perEvent: { sqsRequests: number; lambdaRequests: number; gbSeconds: number; writeUnits: number; readUnits: number };
  /**
   * US dollars per million watch events, by line item. `requests`: all but
   * Lambda's duration (SQS, Lambda requests, DynamoDB), the sum the cost goal
   * is set on: duration depends on the SCM's latency more than on this code.
   * `folded`: `requests` had the marks that record delivered calls been
   * folded into the run's next claim instead of written on their own (the
   * design evaluated and not adopted: README, "Cost"). `unwarmed`:
   * `requests` had no message found its run item in a warm instance
   * (shared/store/cache.ts), so that each read it: events of a run spread
   * over many instances, or every one a cold start.
   */
  perMillion: {
    sqs: number;
    lambdaRequests: number;
    lambdaDuration: number;
    dynamoWrites: number;
    dynamoReads: number;
    total: number;
    requests: number;
    folded: number;
    unwarmed: number;
  };
}

/** The process function's memory: its own `memorySize`, else the provider's. */
export const processMemoryMb = (): number => {
  const doc = parseDocument(readFileSync(join(ROOT, "serverless.yml"), "utf8"));
  const value = doc.getIn(["functions", "process", "memorySize"]) ?? doc.getIn(["provider", "memorySize"]);
  // Lambda's own default when nothing is configured.
  return typeof value === "number" ? value : 128;
};

export const estimateCost = (label: string, replay: ReplayCalls, memoryMb = processMemoryMb()): CostEstimate => {
  const events = replay.events;
  // Lambda's SQS event source receives once and deletes once per invocation.
  const sqsRequests = (replay.sendRequests + 2 * replay.invocations) / events;
  const lambdaRequests = replay.invocations / events;
  const gbSeconds = (replay.handlerMs / 1000 / events) * (memoryMb / 1024);
  const writeUnits = (replay.state.writeUnits + replay.receiverStore.writeUnits) / events;
  const readUnits = (replay.state.readUnits + replay.receiverStore.readUnits) / events;
  const million = 1_000_000;
  const perMillion = {
    sqs: sqsRequests * PRICES.sqsFifoPerMillionRequests,
    lambdaRequests: lambdaRequests * PRICES.lambdaPerMillionRequests,
    lambdaDuration: gbSeconds * million * PRICES.lambdaArmPerGbSecond,
    dynamoWrites: writeUnits * PRICES.dynamoPerMillionWriteUnits,
    dynamoReads: readUnits * PRICES.dynamoPerMillionReadUnits,
    total: 0,
    requests: 0,
    folded: 0,
    unwarmed: 0,
  };
  perMillion.requests = perMillion.sqs + perMillion.lambdaRequests + perMillion.dynamoWrites + perMillion.dynamoReads;
  perMillion.total = perMillion.requests + perMillion.lambdaDuration;
  // One record write per message that called receivers, each as large as the run-state writes on average.
  const recordUnits = replay.state.writes > 0 ? (replay.callbackMessages * replay.state.writeUnits) / replay.state.writes / events : 0;
  perMillion.folded = perMillion.requests - recordUnits * PRICES.dynamoPerMillionWriteUnits;
  // One read of the run item per message (items stay within 4 KB: one read unit), where the warm instance read fewer.
  const unreadUnits = Math.max(0, replay.messages - replay.state.readUnits) / events;
  perMillion.unwarmed = perMillion.requests + unreadUnits * PRICES.dynamoPerMillionReadUnits;
  return { label, memoryMb, perEvent: { sqsRequests, lambdaRequests, gbSeconds, writeUnits, readUnits }, perMillion };
};
