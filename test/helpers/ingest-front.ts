import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface IngestFront {
  /** `http://127.0.0.1:<port>/events`, as a relay's INGEST_URL. */
  eventsUrl: string;
  stop(): Promise<void>;
}

const read = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const context = { functionName: "ingest", awsRequestId: "local", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/**
 * The ingest function behind a loopback HTTP server, the way API Gateway's
 * HTTP API hands requests to it (payload format 2.0, lower-case headers):
 * what a relay's webhook sink and operations source talk to in tests.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export const startIngestFront = async (handler: LambdaHandler): Promise<IngestFront> => {
  const server: Server = createServer((request, response) => {
    void read(request).then(async (body) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(",") : (v ?? "")]));
      const method = request.method ?? "GET";
      const event = {
        version: "2.0",
        routeKey: `${method} ${url.pathname}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        requestContext: { http: { method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: headers["user-agent"] ?? "" } },
        body,
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      const result = await handler(event, context);
      response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      response.end(result.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
