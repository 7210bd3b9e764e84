/**
 * Reads what ended in the dead-letter queue with the reason the process
 * function attached, so a report can say why each message gave up.
 */
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

export interface DeadLetter {
  reason: string;
  status: string;
  error: string;
  kind: string;
  name: string;
}

const describe = (body: string): { kind: string; name: string } => {
  try {
    const envelope = JSON.parse(body) as { kind?: string; object?: { metadata?: { name?: string } } };
    return { kind: envelope.kind ?? "?", name: envelope.object?.metadata?.name ?? "?" };
  } catch {
    return { kind: "?", name: "?" };
  }
};

/** Receives every message of the DLQ (leaving them invisible for a minute) and returns their reasons. */
export const readDeadLetters = async (dlqUrl: string): Promise<DeadLetter[]> => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const out: DeadLetter[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60, MessageAttributeNames: ["All"] }),
      );
      if (Messages.length === 0) return out;
      for (const message of Messages) {
        const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue ?? "";
        out.push({ reason: attribute("reason"), status: attribute("status"), error: attribute("error"), ...describe(message.Body ?? "") });
      }
    }
  } finally {
    sqs.destroy();
  }
};
