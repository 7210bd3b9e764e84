import { describe, expect, it } from "vitest";
import { EventStatus, newEventProcessStatus, StatusChannel, type EventProcessStatus } from "../../../shared/status";

const drain = async (channel: StatusChannel): Promise<EventProcessStatus[]> => {
  const out: EventProcessStatus[] = [];
  for await (const status of channel) out.push(status);
  return out;
};

describe("Class: EventProcessStatusBuilder", () => {
  describe("Method: build", () => {
    it("returns Completed, no messages, no retry, no error when nothing was set", () => {
      // Act
      const status = newEventProcessStatus().build();

      // Assess
      expect(status).toEqual({ status: EventStatus.Completed, messages: {}, retry: false, final: false, notify: true });
      expect(status).not.toHaveProperty("maxRetry");
      expect(status).not.toHaveProperty("error");
    });

    it("returns every value set when the calls are chained", () => {
      // Prepare
      const error = new Error("rate limited");

      // Act
      const status = newEventProcessStatus()
        .withStatus(EventStatus.PartialCompleted)
        .withMessage("receiver", "github")
        .withRetry()
        .withMaxRetry(7)
        .withError(error)
        .build(true, false);

      // Assess
      expect(status).toEqual({
        status: EventStatus.PartialCompleted,
        messages: { receiver: "github" },
        retry: true,
        maxRetry: 7,
        error,
        final: true,
        notify: false,
      });
    });

    it("returns the builder itself from every with… call", () => {
      // Prepare
      const builder = newEventProcessStatus();

      // Act
      const returned = [
        builder.withStatus(EventStatus.Skip),
        builder.withMessage("a", "b"),
        builder.withRetry(),
        builder.withMaxRetry(1),
        builder.withError("x"),
      ];

      // Assess
      for (const value of returned) expect(value).toBe(builder);
    });
  });

  describe("Method: withMessage", () => {
    it("accumulates messages, the last value of a key winning", () => {
      // Act
      const status = newEventProcessStatus()
        .withMessage("reason", "first")
        .withMessage("receiver", "slack")
        .withMessage("reason", "second")
        .build();

      // Assess
      expect(status.messages).toEqual({ reason: "second", receiver: "slack" });
    });

    it("does not change a status already built when more messages are added", () => {
      // Prepare
      const builder = newEventProcessStatus().withMessage("a", "1");
      const first = builder.build();

      // Act
      builder.withMessage("b", "2");

      // Assess
      expect(first.messages).toEqual({ a: "1" });
      expect(builder.build().messages).toEqual({ a: "1", b: "2" });
    });
  });

  describe("Method: withRetry", () => {
    it("returns retry false by default and true once called", () => {
      // Act
      const without = newEventProcessStatus().withStatus(EventStatus.PartialCompleted).build();
      const withIt = newEventProcessStatus().withStatus(EventStatus.PartialCompleted).withRetry().build();

      // Assess
      expect(without.retry).toBe(false);
      expect(withIt.retry).toBe(true);
    });

    it("returns retry true for the Retry status even without withRetry", () => {
      // Act
      const status = newEventProcessStatus().withStatus(EventStatus.Retry).build();

      // Assess
      expect(status.retry).toBe(true);
    });
  });

  describe("Method: withMaxRetry", () => {
    it.each([0, 1, 100])("accepts %s", (value) => {
      // Act
      const status = newEventProcessStatus().withMaxRetry(value).build();

      // Assess
      expect(status.maxRetry).toBe(value);
    });

    it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("throws a RangeError naming maxRetry for %s", (value) => {
      // Act
      const act = () => newEventProcessStatus().withMaxRetry(value);

      // Assess
      expect(act).toThrow(RangeError);
      expect(act).toThrow(/maxRetry must be a non-negative integer/);
    });
  });

  describe("Method: withError", () => {
    it("keeps an Error as it is", () => {
      // Prepare
      const error = new TypeError("bad");

      // Act
      const status = newEventProcessStatus().withError(error).build();

      // Assess
      expect(status.error).toBe(error);
    });

    it.each([
      { thrown: "plain text", message: "plain text" },
      { thrown: 42, message: "42" },
      { thrown: { code: 7 }, message: "[object Object]" },
    ])("wraps $thrown in an Error that keeps it as its cause", ({ thrown, message }) => {
      // Act
      const status = newEventProcessStatus().withError(thrown).build();

      // Assess
      expect(status.error).toBeInstanceOf(Error);
      expect(status.error?.message).toBe(message);
      expect(status.error?.cause).toBe(thrown);
    });
  });

  describe("Method: send", () => {
    it("sends an intermediate, notified status and leaves the channel open", async () => {
      // Prepare
      const channel = new StatusChannel();

      // Act
      await newEventProcessStatus().withStatus(EventStatus.Processing).send(channel);

      // Assess
      expect(channel.closed).toBe(false);
      channel.close();
      const [status, ...rest] = await drain(channel);
      expect(rest).toHaveLength(0);
      expect(status).toMatchObject({ status: EventStatus.Processing, final: false, notify: true });
    });
  });

  describe("Method: sendClose", () => {
    it("sends a final status that onStatus is told about and closes the channel", async () => {
      // Prepare
      const channel = new StatusChannel();

      // Act
      await newEventProcessStatus().withStatus(EventStatus.Failure).sendClose(channel);

      // Assess
      expect(channel.closed).toBe(true);
      const statuses = await drain(channel);
      expect(statuses).toHaveLength(1);
      expect(statuses[0]).toMatchObject({ status: EventStatus.Failure, final: true, notify: true });
    });
  });

  describe("Method: skipClose", () => {
    it("sends a final status that onStatus is not told about and closes the channel", async () => {
      // Prepare
      const channel = new StatusChannel();

      // Act
      await newEventProcessStatus().withStatus(EventStatus.Skip).skipClose(channel);

      // Assess
      expect(channel.closed).toBe(true);
      const statuses = await drain(channel);
      expect(statuses).toHaveLength(1);
      expect(statuses[0]).toMatchObject({ status: EventStatus.Skip, final: true, notify: false });
    });

    it("rejects with SendOnClosedChannelError when the channel was closed before", async () => {
      // Prepare
      const channel = new StatusChannel();
      await newEventProcessStatus().sendClose(channel);

      // Act
      const act = newEventProcessStatus().skipClose(channel);

      // Assess
      await expect(act).rejects.toMatchObject({ name: "SendOnClosedChannelError" });
    });
  });
});

describe("Object: EventStatus", () => {
  it("lists the seven statuses of the design", () => {
    // Assess
    expect(Object.values(EventStatus)).toEqual([
      "Skip",
      "Retry",
      "MaxRetryReached",
      "Completed",
      "Failure",
      "Processing",
      "PartialCompleted",
    ]);
  });
});
