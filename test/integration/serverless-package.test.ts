import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  eventSourceMappings,
  functionByHandler,
  grantsOfRole,
  iamStatements,
  onlyOne,
  packageTemplate,
  queueNamed,
  referencedId,
  resource,
  resourcesOfType,
  secretArn,
  wildcardProblems,
  type Json,
  type Resource,
  type Template,
} from '../helpers/serverless-template';

describe('Template: serverless package', () => {
  let template: Template;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Prepare, Act
    const packaged = await packageTemplate();
    template = packaged.template;
    remove = packaged.remove;
  }, 180_000);

  afterAll(async () => {
    await remove?.();
  });

  const processFunction = (): [string, Resource] => onlyOne(template, 'AWS::Lambda::Function', (r) => r.Properties?.Handler === 'functions/process/handler.handler');
  const ingestFunction = (): [string, Resource] => onlyOne(template, 'AWS::Lambda::Function', (r) => r.Properties?.Handler === 'functions/ingest/handler.handler');
  const eventQueue = (): [string, Resource] => queueNamed(template, '-events.fifo');
  /** kubernetes.via: relay: the own cluster's operations queue. */
  const operationsQueue = (): [string, Resource] => queueNamed(template, '-operations.fifo');

  it('declares a FIFO event queue that redrives to a FIFO dead-letter queue', () => {
    // Prepare
    const [, queue] = eventQueue();
    const redrive = queue.Properties?.RedrivePolicy as Json;

    // Assess
    expect(queue.Properties).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
    });
    // Above the app's own retry limit, so the app dead-letters with its reason first.
    expect(redrive.maxReceiveCount).toBe(10);
    const dlq = resource(template, referencedId(redrive.deadLetterTargetArn));
    expect(dlq.Type).toBe('AWS::SQS::Queue');
    expect(dlq.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
    expect(String(dlq.Properties?.QueueName)).toMatch(/\.fifo$/);
  });

  it('declares a queue visibility timeout of at least six times the process timeout', () => {
    // Prepare
    const [, queue] = eventQueue();
    const [, fn] = processFunction();

    // Assess
    const timeout = fn.Properties?.Timeout as number;
    expect(timeout).toBeGreaterThan(0);
    expect(queue.Properties?.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('declares every function on nodejs22.x arm64, process with its environment', () => {
    // Prepare
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const [, fn] = processFunction();
    const [queueId] = eventQueue();
    const variables = (fn.Properties?.Environment as Json).Variables as Json;

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    for (const [, f] of functions) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
    expect(referencedId(variables.QUEUE_URL)).toBe(queueId);
    expect(variables.DLQ_URL).toBeDefined();
    expect(variables.TABLE_NAME).toBeDefined();
    expect(variables.POWERTOOLS_SERVICE_NAME).toBeTruthy();
    expect(variables.FEEDBACK_CONFIG).toBeTruthy();
  });

  it('declares the process event source mapping with partial batch responses and batches of 10', () => {
    // Prepare
    const [functionId] = processFunction();
    const [queueId] = eventQueue();
    const mappings = eventSourceMappings(template, functionId);

    // Assess
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0]!;
    expect(referencedId(mapping.Properties?.EventSourceArn)).toBe(queueId);
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('polls at most as many batches at once as the process function may run, fewer than GitHub allows requests at once', () => {
    // Prepare
    const [functionId, fn] = processFunction();
    const [, mapping] = eventSourceMappings(template, functionId)[0]!;
    const reserved = fn.Properties?.ReservedConcurrentExecutions as number;
    const maximum = (mapping.Properties?.ScalingConfig as Json | undefined)?.MaximumConcurrency as number;

    // Assess
    // Above the reservation Lambda throttles, and a throttled message counts a
    // receive toward maxReceiveCount. Each invocation has at most one request
    // of a receiver in flight, and GitHub takes at most 100 at once per
    // credential (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
    expect(maximum).toBe(reserved);
    expect(maximum).toBeGreaterThanOrEqual(2);
    expect(maximum).toBeLessThan(100);
  });

  it('declares the state table on demand with TTL on ttl, point-in-time recovery and SSE', () => {
    // Prepare
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');

    // Assess
    expect(tables).toHaveLength(1);
    const [, table] = tables[0]!;
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('declares the outputs the relay and operators need', () => {
    // Assess
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining(['QueueUrl', 'QueueArn', 'DlqUrl', 'TableName', 'IngestUrl']),
    );
  });

  it('declares resync on a schedule with its own role, alarms on the DLQ, the oldest message and process errors, and a dashboard', () => {
    // Prepare
    const resync = functionByHandler(template, 'functions/resync/');
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties?.MetricName);

    // Assess
    expect(resync).toBeDefined();
    expect(referencedId(resync![1].Properties?.Role)).toBe('ResyncRole');
    expect(rules.map(([, r]) => r.Properties?.ScheduleExpression)).toContain('rate(5 minutes)');
    expect(alarms).toEqual(expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Errors']));
    expect(resourcesOfType(template, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(['ProcessRoleArn', 'ResyncRoleArn', 'DashboardUrl']));
  });

  it('declares the operations queue of kubernetes.via: relay as FIFO with its own FIFO DLQ, named to process, resync and ingest, sent to only by process, resync and the operators (redrive), its DLQ read by the operators', () => {
    // Prepare
    const [queueId, queue] = operationsQueue();
    const redrive = queue.Properties?.RedrivePolicy as Json;
    const dlq = resource(template, referencedId(redrive.deadLetterTargetArn));
    const senders = iamStatements(template)
      .filter(({ statement }) => asArray(statement.Resource).some((r) => referencedId(r) === queueId) && asArray(statement.Action).includes('sqs:SendMessage'))
      .map(({ where }) => where.split('/')[0])
      .sort();

    // Assess
    expect(queue.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, SqsManagedSseEnabled: true });
    expect(redrive.maxReceiveCount).toBe(20);
    expect(dlq.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
    expect(referencedId(redrive.deadLetterTargetArn)).not.toBe(referencedId((eventQueue()[1].Properties?.RedrivePolicy as Json).deadLetterTargetArn));
    for (const prefix of ['functions/process/', 'functions/resync/', 'functions/ingest/']) {
      const variables = (functionByHandler(template, prefix)![1].Properties?.Environment as Json).Variables as Json;
      expect(referencedId(variables.OPERATIONS_QUEUE_URL), prefix).toBe(queueId);
    }
    expect(senders).toEqual(['OpsPolicy', 'ProcessRole', 'ResyncRole']);
    const onDlq = iamStatements(template).filter(({ statement }) => asArray(statement.Resource).some((r) => referencedId(r) === referencedId(redrive.deadLetterTargetArn)));
    expect(onDlq.map(({ where, statement }) => [where.split('/')[0], asArray(statement.Action).sort()])).toEqual([['OpsPolicy', ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']]]);
    expect(Object.keys(template.Outputs ?? {})).toEqual(expect.arrayContaining(['OperationsQueueUrl', 'OperationsQueueArn', 'OperationsDlqUrl']));
  });

  it('declares no IAM statement with a wildcard resource', () => {
    // Prepare
    const statements = iamStatements(template);
    const roles = resourcesOfType(template, 'AWS::IAM::Role');

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.flatMap(({ where, statement }) => wildcardProblems(where, statement))).toEqual([]);
    // AWS managed policies (AWSLambdaBasicExecutionRole and the like) grant on
    // "*" out of sight of the check above.
    // The one exception: X-Ray's write policy, attached only when tracing is
    // Active, because PutTraceSegments has no resource-level permission.
    for (const [id, role] of roles) {
      const managed = role.Properties?.ManagedPolicyArns as Json | undefined;
      if (managed === undefined) continue;
      expect(JSON.stringify(managed), id).toMatch(/^\{"Fn::If":\["TracingActive",\[\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::aws:policy\/AWSXRayDaemonWriteAccess"\]\]\}\],\{"Ref":"AWS::NoValue"\}\]\}$/);
    }
  });

  it('declares the process role with only what process uses on its queue, DLQ and table', () => {
    // Prepare
    const [, fn] = processFunction();
    const [queueId, queue] = eventQueue();
    const dlqId = referencedId((queue.Properties?.RedrivePolicy as Json).deadLetterTargetArn);
    const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!;
    const roleId = referencedId(fn.Properties?.Role);
    const granted = grantsOfRole(template, roleId, (actions) => actions.every((a) => a in secretArn));

    // Assess
    expect(granted).toEqual({
      [queueId]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      [dlqId!]: ['sqs:SendMessage'],
      [operationsQueue()[0]]: ['sqs:SendMessage'],
      [tableId]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
  });

  it('declares the ingest routes POST /events, /cloudevents, /admission/{token} and /operations/{receive,ack} on one HTTP API', () => {
    // Prepare
    const [functionId] = ingestFunction();
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').filter(
      ([, r]) => referencedId(r.Properties?.IntegrationUri) === functionId,
    );
    const integrationIds = new Set(integrations.map(([id]) => id));
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => {
      const target = (r.Properties?.Target as Json | undefined)?.['Fn::Join'] as [string, unknown[]] | undefined;
      return target?.[1].some((part) => integrationIds.has(referencedId(part) ?? '')) ?? false;
    });

    // Assess
    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual([
      'POST /admission/{token}',
      'POST /cloudevents',
      'POST /events',
      'POST /operations/ack',
      'POST /operations/receive',
    ]);
    for (const [, route] of routes) expect(referencedId(route.Properties?.ApiId)).toBe('HttpApi');
  });

  it('declares the ingest function with its queue, table and secrets by reference, not by value', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const [queueId] = eventQueue();
    const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!;
    const variables = (fn.Properties?.Environment as Json).Variables as Json;

    // Assess
    expect(referencedId(variables.QUEUE_URL)).toBe(queueId);
    expect(referencedId(variables.TABLE_NAME)).toBe(tableId);
    for (const name of ['INGEST_SECRET', 'ADMISSION_TOKEN', 'CLOUDEVENTS_TOKEN']) {
      expect(resource(template, referencedId(variables[name])).Type, name).toBe('AWS::SecretsManager::Secret');
    }
    // Timeout below HTTP API's 30 s integration limit.
    expect(fn.Properties?.Timeout as number).toBeLessThanOrEqual(29);
  });

  it('declares the ingest role with only SendMessage on the queue, receive and settle on the operations queue, PutItem on the table and its secrets', () => {
    // Prepare
    const [, fn] = ingestFunction();
    const [processId] = processFunction();
    const [queueId] = eventQueue();
    const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!;
    const variables = (fn.Properties?.Environment as Json).Variables as Json;
    const secretIds = ['INGEST_SECRET', 'ADMISSION_TOKEN', 'CLOUDEVENTS_TOKEN'].map((name) => referencedId(variables[name])!);
    const roleId = referencedId(fn.Properties?.Role);
    const granted = grantsOfRole(template, roleId);

    // Assess
    expect(roleId).toBeDefined();
    expect(roleId).not.toBe(referencedId(resource(template, processId).Properties?.Role));
    expect(new Set(secretIds).size).toBe(3);
    expect(granted).toEqual({
      [queueId]: ['sqs:SendMessage'],
      [operationsQueue()[0]]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      [tableId]: ['dynamodb:PutItem'],
      ...Object.fromEntries(secretIds.map((id) => [id, ['secretsmanager:GetSecretValue']])),
    });
  });

  it('declares the IngestUrl output as the HTTP API endpoint', () => {
    // Prepare
    const output = template.Outputs?.IngestUrl;

    // Assess
    expect(referencedId(output?.Value)).toBe('HttpApi');
    expect(resource(template, 'HttpApi').Type).toBe('AWS::ApiGatewayV2::Api');
  });
});
