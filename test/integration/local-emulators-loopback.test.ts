import { createServer, connect, type AddressInfo, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { ListTablesCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK } from "../../cli/local/emulators";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";

/** "connected", or the error code a TCP connection attempt ended with. */
const tryConnect = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000, () => {
      socket.destroy();
      resolve("ETIMEDOUT");
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

/**
 * This machine's addresses other than loopback. IPv6 link-local ones are left
 * out: connecting to them needs an interface scope, which says nothing about
 * what the emulators bind.
 */
const externalAddresses = (): string[] =>
  Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === "IPv6" && entry.address.toLowerCase().startsWith("fe80:")))
    .map((entry) => entry.address);

/** Every TCP server listening in this process (the test's own process: vitest runs each file in its own). */
const listeningServers = (): AddressInfo[] =>
  (process as unknown as { _getActiveHandles(): unknown[] })
    ._getActiveHandles()
    .filter((handle): handle is Server => handle instanceof Object && "listening" in handle && (handle as Server).listening)
    .map((server) => server.address())
    .filter((address): address is AddressInfo => typeof address === "object" && address !== null);

const portOf = (endpoint: string): number => Number(new URL(endpoint).port);

describe("Integration: the local stack listens on loopback only", () => {
  let stack: LocalStack;
  let ports: { sqs: number; dynamo: number };

  beforeAll(async () => {
    const config = parseConfig({ cluster: "loopback-it", watch: [{ group: "batch", version: "v1", resource: "jobs" }] });
    stack = await startLocalStack({ config });
    ports = { sqs: portOf(stack.emulators.sqsEndpoint), dynamo: portOf(stack.emulators.dynamoEndpoint) };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("binds every server it opens to 127.0.0.1", () => {
    // Act
    const servers = listeningServers();

    // Assess: the SQS and DynamoDB ports are among them, and nothing listens anywhere else.
    expect(servers.map((s) => s.port)).toEqual(expect.arrayContaining([ports.sqs, ports.dynamo]));
    expect(servers.map((s) => s.address)).toEqual(servers.map(() => LOOPBACK));
  });

  it("answers SQS and DynamoDB calls on 127.0.0.1", async () => {
    // Prepare
    const sqs = new SQSClient({ endpoint: stack.emulators.sqsEndpoint, useQueueUrlAsEndpoint: false });
    const dynamo = new DynamoDBClient({ endpoint: stack.emulators.dynamoEndpoint });

    // Act
    const queues = await sqs.send(new ListQueuesCommand({}));
    const tables = await dynamo.send(new ListTablesCommand({}));
    sqs.destroy();
    dynamo.destroy();

    // Assess
    // The events queue and the operations queue (kubernetes.via: relay), each with its DLQ.
    expect(queues.QueueUrls?.map((url) => url.split("/").pop()).sort()).toEqual([
      "kube-feedback-dlq.fifo",
      "kube-feedback-events.fifo",
      "kube-feedback-operations-dlq.fifo",
      "kube-feedback-operations.fifo",
    ]);
    expect(tables.TableNames).toEqual([stack.emulators.tableName]);
    expect(await tryConnect(LOOPBACK, ports.sqs)).toBe("connected");
    expect(await tryConnect(LOOPBACK, ports.dynamo)).toBe("connected");
  });

  it("refuses connections to the SQS and DynamoDB ports on this machine's other addresses", async () => {
    // Prepare
    const addresses = externalAddresses();
    if (addresses.length === 0) {
      // No other address to connect from: what remains checkable is where the servers are bound.
      expect(listeningServers().filter((s) => s.port === ports.sqs || s.port === ports.dynamo).map((s) => s.address)).toEqual([LOOPBACK, LOOPBACK]);
      return;
    }

    for (const address of addresses) {
      // A server bound to that address accepts there, so a refusal below is the emulators' binding, not the network.
      const control = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => control.listen(0, address, resolve));
      const controlPort = (control.address() as AddressInfo).port;

      // Act
      const reached = {
        control: await tryConnect(address, controlPort),
        sqs: await tryConnect(address, ports.sqs),
        dynamo: await tryConnect(address, ports.dynamo),
      };
      await new Promise<void>((resolve) => control.close(() => resolve()));

      // Assess
      expect({ address, ...reached }).toEqual({ address, control: "connected", sqs: "ECONNREFUSED", dynamo: "ECONNREFUSED" });
    }
  });
});
