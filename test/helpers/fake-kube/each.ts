/**
 * A fresh fake API server for every test of a describe, kept out of the
 * folder's index: it registers vitest hooks, and the benchmarks import the
 * index outside vitest.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach } from 'vitest';
import type { FakeKubeApiServer } from './server.js';
import { startFakeKubeApiServer } from './index.js';

/** Starts a server before each test, hands it over with a KubeConfig for it, and stops it after the test. */
export const eachFakeKubeApiServer = (started: (server: FakeKubeApiServer, kubeConfig: KubeConfig) => void): void => {
  let server: FakeKubeApiServer | undefined;
  beforeEach(async () => {
    server = await startFakeKubeApiServer();
    started(server, server.kubeConfig());
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
};
