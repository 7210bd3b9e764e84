import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { AWS_TEST_REGION } from "./env";

const LOOPBACK = "127.0.0.1";
const SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

/** A Publish as the receiver sent it: the query protocol's form fields. */
export interface PublishCall {
  readonly params: URLSearchParams;
}

/** A scripted answer in SNS's query-protocol error format. */
export interface SnsAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/**
 * An SNS error answer (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html):
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`;
 * the SDK names the error after `Code` (`Throttled` becomes `ThrottledException`).
 */
export const snsError = (status: number, code: string, message: string, headers: Record<string, string> = {}): SnsAnswer => ({
  status,
  headers: { "content-type": "text/xml", ...headers },
  body: `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${status >= 500 ? "Receiver" : "Sender"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
});

/** An SNS envelope as an SQS subscription receives it (raw delivery off). */
export interface SnsNotification {
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
  readonly TopicArn: string;
}

/**
 * SNS for the receiver tests: fauxqs (SNS with topics, filter policies and
 * FIFO, fanned out to its own SQS) bound to loopback, behind a small front
 * that records every Publish and answers scripted failures (a `Throttled`
 * 429, a 500) that fauxqs cannot be asked for. Topics, queues and
 * subscriptions are made with the real SDK clients against fauxqs directly,
 * so the front sees only what the receiver sends.
 */
export class FakeSns {
  readonly publishes: PublishCall[] = [];
  #script: SnsAnswer[] = [];
  #fauxqs: ReturnType<typeof buildApp> | undefined;
  #front: Server | undefined;
  #fauxqsUrl = "";
  #frontUrl = "";
  #sns: SNSClient | undefined;
  #sqs: SQSClient | undefined;

  /** What `AWS_ENDPOINT_URL_SNS` points at. */
  get endpoint(): string {
    return this.#frontUrl;
  }

  /** The next `times` requests get `answer` instead of reaching fauxqs. */
  answerNext(answer: SnsAnswer, times = 1): this {
    for (let i = 0; i < times; i++) this.#script.push(answer);
    return this;
  }

  /** Forgets recorded calls and unused scripted answers; topics and queues stay. */
  reset(): void {
    this.publishes.length = 0;
    this.#script = [];
  }

  async start(): Promise<this> {
    const app = buildApp({ logger: false, host: LOOPBACK, defaultRegion: AWS_TEST_REGION });
    await app.listen({ port: 0, host: LOOPBACK });
    this.#fauxqs = app;
    this.#fauxqsUrl = `http://${LOOPBACK}:${(app.server.address() as AddressInfo).port}`;
    const client = { endpoint: this.#fauxqsUrl, region: AWS_TEST_REGION, credentials: { accessKeyId: "fake", secretAccessKey: "fake" } };
    this.#sns = new SNSClient(client);
    this.#sqs = new SQSClient({ ...client, useQueueUrlAsEndpoint: false });
    const front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const params = new URLSearchParams(body);
        if (params.get("Action") === "Publish") this.publishes.push({ params });
        void this.#answer(req.method ?? "POST", req.url ?? "/", req.headers, body).then((answer) => {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body);
        });
      });
    });
    await new Promise<void>((resolve) => front.listen(0, LOOPBACK, resolve));
    this.#front = front;
    this.#frontUrl = `http://${LOOPBACK}:${(front.address() as AddressInfo).port}`;
    return this;
  }

  async #answer(method: string, path: string, headers: NodeJS.Dict<string | string[]>, body: string): Promise<SnsAnswer> {
    const scripted = this.#script.shift();
    if (scripted) return scripted;
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([name, value]) => typeof value === "string" && !["host", "content-length", "connection"].includes(name)),
    ) as Record<string, string>;
    const response = await fetch(`${this.#fauxqsUrl}${path}`, { method, headers: forwarded, body });
    return { status: response.status, headers: { "content-type": response.headers.get("content-type") ?? "text/xml" }, body: await response.text() };
  }

  /** Creates a topic (FIFO when the name ends in `.fifo`) and returns its ARN. */
  async createTopic(name: string): Promise<string> {
    const fifo = name.endsWith(".fifo") ? { Attributes: { FifoTopic: "true" } } : {};
    const { TopicArn } = await this.#sns!.send(new CreateTopicCommand({ Name: name, ...fifo }));
    return TopicArn!;
  }

  /** A new queue subscribed to the topic, with a filter policy on message attributes when given; returns its URL. */
  async subscribeQueue(topicArn: string, queueName: string, filterPolicy?: Record<string, string[]>): Promise<string> {
    const fifo = queueName.endsWith(".fifo") ? { Attributes: { FifoQueue: "true" } } : {};
    const { QueueUrl } = await this.#sqs!.send(new CreateQueueCommand({ QueueName: queueName, ...fifo }));
    const { Attributes } = await this.#sqs!.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const attributes = filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {};
    await this.#sns!.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, ...attributes }));
    return QueueUrl!;
  }

  /** Every notification waiting in the queue, oldest first. */
  async received(queueUrl: string): Promise<SnsNotification[]> {
    const notifications: SnsNotification[] = [];
    for (;;) {
      const { Messages = [] } = await this.#sqs!.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
      if (Messages.length === 0) return notifications;
      notifications.push(...Messages.map((m) => JSON.parse(m.Body!) as SnsNotification));
    }
  }

  async stop(): Promise<void> {
    this.#sns?.destroy();
    this.#sqs?.destroy();
    const front = this.#front;
    this.#front = undefined;
    if (front) {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
    await this.#fauxqs?.close();
  }
}
