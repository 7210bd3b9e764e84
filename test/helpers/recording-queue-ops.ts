import type { SQSRecord } from "aws-lambda";
import type { QueueOps } from "../../shared/process/queue";

export interface DeadLetterCall {
  messageId: string;
  reason: string;
  status: string;
  error: string | undefined;
}

/** QueueOps that records what SQS would have been asked to do, for unit tests. */
export class RecordingQueueOps implements QueueOps {
  readonly delays: Array<{ messageId: string; seconds: number }> = [];
  readonly deadLetters: DeadLetterCall[] = [];
  /** Makes the next N deadLetter calls fail, like an unreachable DLQ. */
  failDeadLetters = 0;

  async delay(record: SQSRecord, seconds: number): Promise<void> {
    this.delays.push({ messageId: record.messageId, seconds });
  }

  async deadLetter(record: SQSRecord, reason: string, status: string, error: string | undefined): Promise<void> {
    if (this.failDeadLetters > 0) {
      this.failDeadLetters--;
      throw new Error("DLQ unavailable");
    }
    this.deadLetters.push({ messageId: record.messageId, reason, status, error });
  }
}
