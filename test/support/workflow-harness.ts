/**
 * What a workflow test file needs: a dev server and the workflow bundle, made once per file, and a
 * worker on a queue of its own for each test (`withWorker`), running the activities the test hands in.
 */
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { RunnerActivities } from '../../src/activities';
import { PROVISIONING_TASK_QUEUE } from '../../src/core/contract/names';
import { startTestTemporal, type TestTemporal } from './temporal-server';

export interface WorkflowServer {
  temporal: TestTemporal;
  client: Client;
  /** Runs `body` while a worker with `activities` polls a fresh queue, whose name `body` is given. */
  withWorker<T>(activities: RunnerActivities, body: (taskQueue: string) => Promise<T>): Promise<T>;
}

/** Call at the top of a test file; hooks start the server and bundle before its tests and stop it after. */
export function useWorkflowServer(): WorkflowServer {
  let workflowBundle: { code: string };
  const server = {
    withWorker: async (activities, body) => {
      const taskQueue = `${PROVISIONING_TASK_QUEUE}-${randomUUID()}`;
      const worker = await Worker.create({
        connection: server.temporal.env.nativeConnection,
        taskQueue,
        workflowBundle,
        activities,
      });
      return worker.runUntil(body(taskQueue));
    },
  } as WorkflowServer;
  beforeAll(async () => {
    [server.temporal, workflowBundle] = await Promise.all([
      startTestTemporal(),
      bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') }),
    ]);
    server.client = server.temporal.env.client;
  });
  afterAll(async () => {
    await server.temporal?.stop();
  });
  return server;
}
