'use strict';
// Test stand-in for Stigmer's Python agent-runner: reads only the runner's env contract, polls the
// runner task queue with a real Temporal worker (activities only), and reports what it does as JSON lines.
const { DefaultLogger, NativeConnection, Runtime, Worker } = require('@temporalio/worker');

const CONNECT_RETRY_MS = 1000;
const CONNECT_DEADLINE_MS = 30000;
const SECRETS = ['STIGMER_API_KEY', 'STIGMER_LLM_API_KEY', 'ANTHROPIC_API_KEY'];

// One stream for every event: Docker does not keep the order between stdout and stderr.
const emit = (event, fields) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

const env = {
  MODE: process.env.MODE ?? 'local',
  TEMPORAL_SERVICE_ADDRESS: process.env.TEMPORAL_SERVICE_ADDRESS ?? null,
  TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
  TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE: process.env.TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE ?? 'agent_execution_runner',
  STIGMER_BACKEND_ENDPOINT: process.env.STIGMER_BACKEND_ENDPOINT ?? null,
  OLLAMA_BASE_URL: process.env.OLLAMA_BASE_URL ?? null,
  STIGMER_LLM_PROVIDER: process.env.STIGMER_LLM_PROVIDER ?? null,
  STIGMER_LLM_MODEL: process.env.STIGMER_LLM_MODEL ?? null,
  SANDBOX_ROOT_DIR: process.env.SANDBOX_ROOT_DIR ?? null,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO',
};
const secretsSet = Object.fromEntries(SECRETS.map((name) => [name, Boolean(process.env[name])]));

// Python logging level names mapped onto the Temporal SDK's.
function temporalLogLevel(level) {
  const upper = level.toUpperCase();
  if (upper === 'WARNING') return 'WARN';
  if (upper === 'CRITICAL') return 'ERROR';
  return ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(upper) ? upper : 'INFO';
}

const activities = {
  async execute_graphton(input) {
    return { status: 'completed', runner: 'test-stand-in', input: input ?? null };
  },
  async ensure_thread(input) {
    return { threadId: (input && input.threadId) || 'thread-test' };
  },
  async cleanup_sandbox() {
    return { cleaned: true };
  },
};

let worker;

async function connect(address) {
  const deadline = Date.now() + CONNECT_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      emit('runner.connect_failed', { address, attempt, message: `cannot reach Temporal at ${address}: ${reason}` });
      if (Date.now() + CONNECT_RETRY_MS > deadline) {
        emit('runner.connect_gave_up', { address, attempts: attempt, message: `gave up on Temporal at ${address} after ${CONNECT_DEADLINE_MS / 1000} s` });
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
}

async function main() {
  emit('runner.config', { env, secretsSet });
  const address = env.TEMPORAL_SERVICE_ADDRESS;
  if (!address) {
    emit('runner.config_error', { message: 'TEMPORAL_SERVICE_ADDRESS is not set' });
    process.exit(1);
  }
  // The SDK's own signal handling is replaced by ours so that shutdown is reported and exits 0.
  Runtime.install({ logger: new DefaultLogger(temporalLogLevel(env.LOG_LEVEL)), shutdownSignals: [] });

  const connection = await connect(address);
  worker = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE,
    activities,
  });
  emit('runner.polling', { address, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE });
  await worker.run();
  await connection.close();
  emit('runner.stopped', {});
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    emit('runner.signal', { signal });
    // Nothing polls before the worker exists, so there is nothing to drain.
    if (!worker) process.exit(0);
    try {
      worker.shutdown();
    } catch {
      // Already shutting down: a second signal changes nothing.
    }
  });
}

main().catch((err) => {
  emit('runner.crashed', { message: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
