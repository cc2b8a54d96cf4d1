'use strict';
// Test stand-in for Stigmer's agent-runner, one image per release: /app/contract.json is that
// release's env contract (src/core/runner/releases.ts). It reads only the names the release reads,
// polls the release's task queue with a real Temporal worker (activities only), runs as the
// release's non-root user, lists its LLM's models once at start — through the proxy its env names,
// as the real runner's HTTP client does — and reports what it does as JSON lines.

// One stream for every event: Docker does not keep the order between stdout and stderr.
const emit = (event, fields) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

// First, before the SDK takes a second to load: as PID 1 a SIGTERM without a handler is ignored.
let worker;
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

const { DefaultLogger, NativeConnection, Runtime, Worker } = require('@temporalio/worker');
const contract = require('./contract.json');

const CONNECT_RETRY_MS = 1000;
const CONNECT_DEADLINE_MS = 30000;
// The queue names each release looks at, in the order it looks (the first one set wins).
const QUEUE_NAMES = ['STIGMER_TASK_QUEUE', 'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE'].filter((name) =>
  contract.reads.includes(name),
);

/** A variable the release reads; reading any other name is the bug class this stand-in exists to catch. */
function read(name, fallback = null) {
  if (!contract.reads.includes(name)) throw new Error(`stand-in bug: ${contract.id} does not read ${name}`);
  return process.env[name] ?? fallback;
}
const readIfKnown = (name, fallback = null) => (contract.reads.includes(name) ? read(name, fallback) : undefined);

const taskQueue = QUEUE_NAMES.map((name) => process.env[name]).find(Boolean) ?? contract.taskQueue;
const env = Object.fromEntries(
  Object.entries({
    MODE: read('MODE', 'local'),
    TEMPORAL_SERVICE_ADDRESS: read('TEMPORAL_SERVICE_ADDRESS'),
    TEMPORAL_NAMESPACE: read('TEMPORAL_NAMESPACE', 'default'),
    TASK_QUEUE: taskQueue,
    STIGMER_BACKEND_ENDPOINT: read('STIGMER_BACKEND_ENDPOINT'),
    OLLAMA_BASE_URL: readIfKnown('OLLAMA_BASE_URL'),
    STIGMER_LLM_BASE_URL: readIfKnown('STIGMER_LLM_BASE_URL'),
    STIGMER_LLM_PROVIDER: readIfKnown('STIGMER_LLM_PROVIDER'),
    STIGMER_LLM_MODEL: readIfKnown('STIGMER_LLM_MODEL'),
    WORKSPACE: readIfKnown('SANDBOX_ROOT_DIR') ?? readIfKnown('WORKSPACE_ROOT_DIR'),
    LOG_LEVEL: readIfKnown('LOG_LEVEL', 'INFO'),
  }).filter(([, value]) => value !== undefined),
);
const secretsSet = Object.fromEntries(contract.secrets.map((name) => [name, Boolean(read(name))]));

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

/**
 * The proxy settings a Python runner's HTTP client (httpx, trust_env) takes from the environment —
 * not part of any release's contract, so read directly: HTTP_PROXY unless NO_PROXY names the host
 * (`*`, the host itself, or a domain it is in; an IP only as itself).
 */
function proxyFor(url) {
  const proxy = process.env.HTTP_PROXY || process.env.http_proxy;
  if (!proxy) return undefined;
  const host = url.hostname.toLowerCase();
  const bypass = (process.env.NO_PROXY || process.env.no_proxy || '')
    .split(',')
    .map((entry) =>
      entry
        .trim()
        .toLowerCase()
        .replace(/^\*?\./, ''),
    )
    .filter(Boolean);
  return bypass.some((entry) => entry === '*' || host === entry || host.endsWith(`.${entry}`))
    ? undefined
    : new URL(proxy);
}

/** What the real runner does first with its LLM: list the models, through the proxy when its env says so. */
function llmCheck(base) {
  const url = new URL('/api/tags', base);
  const proxy = proxyFor(url);
  const shownUrl = url.href.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  const auth =
    proxy && proxy.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
      : undefined;
  const request = require('node:http').request({
    host: proxy ? proxy.hostname : url.hostname,
    port: proxy ? proxy.port || 80 : url.port || 80,
    path: proxy ? url.href : url.pathname,
    headers: { host: url.host, ...(auth && { 'proxy-authorization': auth }) },
    timeout: 5000,
  });
  const via = proxy ? 'proxy' : 'direct';
  request.on('response', (response) => {
    response.resume();
    emit('runner.llm_check', { url: shownUrl, via, status: response.statusCode });
  });
  request.on('timeout', () => request.destroy(new Error('timed out')));
  request.on('error', (err) => emit('runner.llm_check', { url: shownUrl, via, error: err.message }));
  request.end();
}

async function connect(address) {
  const deadline = Date.now() + CONNECT_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      emit('runner.connect_failed', { address, attempt, message: `cannot reach Temporal at ${address}: ${reason}` });
      if (Date.now() + CONNECT_RETRY_MS > deadline) {
        emit('runner.connect_gave_up', {
          address,
          attempts: attempt,
          message: `gave up on Temporal at ${address} after ${CONNECT_DEADLINE_MS / 1000} s`,
        });
        process.exit(1);
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
}

async function main() {
  // Like a careful runner, it never logs a URL's password.
  const shown = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      typeof value === 'string' ? value.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@') : value,
    ]),
  );
  emit('runner.config', { contract: contract.id, uid: process.getuid(), env: shown, secretsSet });
  const llm = env.OLLAMA_BASE_URL ?? env.STIGMER_LLM_BASE_URL;
  if (llm) llmCheck(llm);
  const address = env.TEMPORAL_SERVICE_ADDRESS;
  if (!address) {
    emit('runner.config_error', { message: 'TEMPORAL_SERVICE_ADDRESS is not set' });
    process.exit(1);
  }
  // The SDK's own signal handling is replaced by ours so that shutdown is reported and exits 0.
  Runtime.install({ logger: new DefaultLogger(temporalLogLevel(env.LOG_LEVEL ?? 'INFO')), shutdownSignals: [] });

  const connection = await connect(address);
  worker = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    activities,
  });
  emit('runner.polling', { address, namespace: env.TEMPORAL_NAMESPACE, taskQueue });
  await worker.run();
  await connection.close();
  emit('runner.stopped', {});
  process.exit(0);
}

main().catch((err) => {
  emit('runner.crashed', { message: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
