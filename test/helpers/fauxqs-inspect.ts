/** A message as fauxqs holds it (a subset of its fields). */
export interface HeldMessage {
  messageId: string;
  body: string;
  messageGroupId?: string;
  approximateReceiveCount: number;
}

interface Inspection {
  messages: { ready: HeldMessage[]; delayed: HeldMessage[]; inflight: Array<{ message: HeldMessage }> };
}

/**
 * Every message a fauxqs queue still holds — ready, delayed or in flight —
 * read through fauxqs's non-destructive inspection endpoint, so asking does
 * not change visibility or receive counts the way ReceiveMessage would.
 */
export const heldMessages = async (sqsEndpoint: string, queueUrl: string): Promise<HeldMessage[]> => {
  const name = queueUrl.split("/").pop()!;
  const response = await fetch(`${sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`fauxqs inspection of ${name} answered ${response.status}`);
  const { messages } = (await response.json()) as Inspection;
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)];
};
