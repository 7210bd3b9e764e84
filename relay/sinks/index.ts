import { SqsSink } from "./sqs";
import { StdoutSink } from "./stdout";
import { SinkType, type Sink } from "./types";
import { WebhookSink } from "./webhook";

export type SinkSettings =
  | { type: typeof SinkType.Sqs; queueUrl: string }
  | { type: typeof SinkType.Webhook; url: string; secret: string }
  | { type: typeof SinkType.Stdout };

/** One constructor per sink type; the settings union makes a missing option a type error. */
export const createSink = (settings: SinkSettings): Sink => {
  switch (settings.type) {
    case SinkType.Sqs:
      return new SqsSink({ queueUrl: settings.queueUrl });
    case SinkType.Webhook:
      return new WebhookSink({ url: settings.url, secret: settings.secret });
    case SinkType.Stdout:
      return new StdoutSink();
  }
};

export { SqsSink, type SqsSinkOptions } from "./sqs";
export { StdoutSink, type StdoutSinkOptions } from "./stdout";
export { WebhookSink, type WebhookSinkOptions } from "./webhook";
export { SinkType, type SendReport, type Sink } from "./types";
