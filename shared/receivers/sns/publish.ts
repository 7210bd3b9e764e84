/**
 * What one callback publishes to the topic: the run event document as the
 * message (../run-event.ts, the same document an EventBridge rule sees) and
 * String message attributes that subscriptions filter on without parsing
 * the body (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html):
 * `{"phase": ["failed", "errored"], "namespace": ["ci"]}`.
 */
import type { MessageAttributeValue, PublishInput } from "@aws-sdk/client-sns";
import type { LifecycleEvent } from "../../pipeline/receiver";
import type { PipelineInfo } from "../../pipeline/types";
import { runEvent } from "../run-event";

/**
 * A topic ARN (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html):
 * names of up to 256 letters, digits, hyphens and underscores, FIFO topics
 * ending in `.fifo`.
 */
export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export const isFifoTopic = (topicArn: string): boolean => topicArn.endsWith(".fifo");

/** The attributes every message carries, in the order the README lists them. */
export const MESSAGE_ATTRIBUTES = ["event", "phase", "namespace", "kind", "cluster"] as const;
export type MessageAttributeName = (typeof MESSAGE_ATTRIBUTES)[number];

const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });

export const messageAttributes = (event: LifecycleEvent, info: PipelineInfo): Record<MessageAttributeName, MessageAttributeValue> => ({
  event: text(event),
  phase: text(info.phase),
  namespace: text(info.namespace),
  kind: text(info.kind),
  cluster: text(info.cluster),
});

/**
 * The Publish request for one callback. A FIFO topic needs a group and a
 * deduplication id (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html):
 * the group is the run (its uid), so one run's messages stay in order and
 * runs do not wait for each other; the deduplication id is the document's
 * `deliveryId`, so a callback retried within SNS's five-minute window is
 * delivered once.
 */
export const publishInput = (topicArn: string, event: LifecycleEvent, info: PipelineInfo): PublishInput => {
  const document = runEvent(event, info);
  return {
    TopicArn: topicArn,
    Message: JSON.stringify(document),
    MessageAttributes: messageAttributes(event, info),
    ...(isFifoTopic(topicArn) ? { MessageGroupId: info.uid, MessageDeduplicationId: document.deliveryId } : {}),
  };
};
