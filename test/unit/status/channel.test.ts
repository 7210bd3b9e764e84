import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  ChannelAlreadyClosedError,
  DEFAULT_CHANNEL_CAPACITY,
  EventStatus,
  newEventProcessStatus,
  SendOnClosedChannelError,
  StatusChannel,
  StatusChannelError,
  type EventProcessStatus,
} from "../../../shared/status";

const status = (n: number): EventProcessStatus =>
  newEventProcessStatus().withStatus(EventStatus.Processing).withMessage("n", String(n)).build();

/** Tracks whether a promise has settled, without awaiting it. */
const track = (promise: Promise<unknown>) => {
  const state = { settled: false, rejected: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error: unknown) => {
      state.settled = true;
      state.rejected = error;
    },
  );
  return state;
};

describe("Class: StatusChannel", () => {
  describe("Method: constructor", () => {
    it("returns a channel of capacity 5 by default", () => {
      // Act
      const channel = new StatusChannel();

      // Assess
      expect(DEFAULT_CHANNEL_CAPACITY).toBe(5);
      expect(channel.capacity).toBe(5);
    });

    it.each([0, -1, 2.5])("throws a RangeError for capacity %s", (capacity) => {
      // Act
      const act = () => new StatusChannel(capacity);

      // Assess
      expect(act).toThrow(RangeError);
      expect(act).toThrow(/capacity must be a positive integer/);
    });
  });

  describe("Method: send", () => {
    it("resolves five sends at once and the sixth only after the consumer takes one", async () => {
      // Prepare
      const channel = new StatusChannel();
      for (let n = 1; n <= 5; n++) await channel.send(status(n));

      // Act
      const sixth = track(channel.send(status(6)));
      await tick();
      const settledWhileFull = sixth.settled;
      const first = await channel.receive();
      await tick();

      // Assess
      expect(settledWhileFull).toBe(false);
      expect(sixth.settled).toBe(true);
      expect(sixth.rejected).toBeUndefined();
      expect(first?.messages.n).toBe("1");
      expect(channel.size).toBe(5);
    });

    it("keeps the order of senders that waited for room when a new sender arrives", async () => {
      // Prepare
      const channel = new StatusChannel(2);
      const sends = [1, 2, 3, 4, 5].map((n) => channel.send(status(n)));

      // Act: the slot freed by this receive belongs to sender 3, not to the sender that arrives right after.
      const firstTake = channel.receive();
      const late = channel.send(status(6));
      const received = [await firstTake];
      for (let i = 0; i < 5; i++) received.push(await channel.receive());
      await Promise.all([...sends, late]);

      // Assess
      expect(received.map((s) => s?.messages.n)).toEqual(["1", "2", "3", "4", "5", "6"]);
    });

    it("hands the status to a consumer that is already waiting", async () => {
      // Prepare
      const channel = new StatusChannel();
      const receiving = channel.receive();

      // Act
      await channel.send(status(1));

      // Assess
      expect((await receiving)?.messages.n).toBe("1");
      expect(channel.size).toBe(0);
    });

    it("throws SendOnClosedChannelError when the channel is closed", async () => {
      // Prepare
      const channel = new StatusChannel();
      channel.close();

      // Act
      const act = channel.send(status(1));

      // Assess
      await expect(act).rejects.toBeInstanceOf(SendOnClosedChannelError);
      await expect(channel.send(status(1))).rejects.toThrow("cannot send on a closed status channel");
    });

    it("rejects a sender still waiting for room when the channel is closed", async () => {
      // Prepare
      const channel = new StatusChannel(1);
      await channel.send(status(1));
      const waiting = track(channel.send(status(2)));

      // Act
      channel.close();
      await tick();

      // Assess
      expect(waiting.rejected).toBeInstanceOf(SendOnClosedChannelError);
      expect((await channel.receive())?.messages.n).toBe("1");
      expect(await channel.receive()).toBeUndefined();
    });
  });

  describe("Method: close", () => {
    it("throws ChannelAlreadyClosedError when closed twice", () => {
      // Prepare
      const channel = new StatusChannel();
      channel.close();

      // Act
      let thrown: unknown;
      try {
        channel.close();
      } catch (error) {
        thrown = error;
      }

      // Assess
      expect(thrown).toBeInstanceOf(ChannelAlreadyClosedError);
      expect(thrown).toBeInstanceOf(StatusChannelError);
      expect(thrown).toMatchObject({ name: "ChannelAlreadyClosedError", message: "status channel was already closed" });
    });

    it("lets the consumer drain what was buffered, then returns undefined", async () => {
      // Prepare
      const channel = new StatusChannel();
      await channel.send(status(1));
      await channel.send(status(2));

      // Act
      channel.close();
      const received: EventProcessStatus[] = [];
      for await (const s of channel) received.push(s);

      // Assess
      expect(received.map((s) => s.messages.n)).toEqual(["1", "2"]);
      expect(await channel.receive()).toBeUndefined();
    });

    it("wakes a waiting consumer with undefined and resolves whenClosed", async () => {
      // Prepare
      const channel = new StatusChannel();
      const receiving = channel.receive();
      const closed = track(channel.whenClosed());

      // Act
      channel.close();
      await tick();

      // Assess
      expect(await receiving).toBeUndefined();
      expect(closed.settled).toBe(true);
      expect(channel.closed).toBe(true);
    });
  });
});
