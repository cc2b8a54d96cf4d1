/**
 * The published workflow contract: zod schemas of what a client sends (provisionRunner and
 * teardownRunner inputs) and reads (their results, the `progress` query, the progress a failure
 * carries). docs/contract/v<N>/ (v2; v1 frozen) holds the JSON Schemas generated from these (`npm run contract`);
 * a unit test fails when they drift.
 *
 * Inputs are exact: the workflow's input type is inferred from them. Outputs are the promise — the
 * fields a client may rely on. Every object accepts keys it does not name (additions are not
 * breaking), and nested objects that are the worker's business (the network plan, the resolved
 * config, the container, the poller) promise only the few fields a client needs.
 *
 * Not in the workflow bundle: the workflow imports these types only (zod would add ~1 MB to it).
 */
import { z } from 'zod';
import { CREDENTIAL_URL_ENV_NAMES, SETTING_ENV_NAMES } from '../settings/cascade';
import {
  CONTRACT_VERSION,
  EXIT_CODE_FAILURE_TYPES,
  EXIT_CODES,
  FAILURE_TYPES,
  HOST_NAME,
  HOST_SCHEDULE_TO_START_MS,
  hostTaskQueue,
  PROVISIONING_TASK_QUEUE,
  QUERY_NAMES,
  SEARCH_ATTRIBUTES,
  WORKFLOW_ID_PREFIXES,
  WORKFLOW_TYPES,
} from './names';
import { ABSOLUTE_PATH } from '../paths';
import { STEP_NAMES } from './progress';
import { RELEASE_CHOICES, DOCKER_NAME, NETWORK_CHOICES } from '../vocabulary';

const positiveInt = z.number().int().positive();
/** A value and where it came from: `flag:--x`, `env:NAME`, `file:PATH#key`, `default`. */
const sourced = z.object({ value: z.string(), source: z.string() });
const dockerName = z
  .string()
  .regex(DOCKER_NAME)
  .describe('A Docker container name: the runner container is named after it');
const hostName = z
  .string()
  .regex(HOST_NAME)
  .describe(
    `The host whose worker runs the steps that touch the engine, on its queue ${hostTaskQueue('<host>')}; no worker taking one within ${HOST_SCHEDULE_TO_START_MS} ms fails the workflow as HostOffline. Absent: any worker of ${PROVISIONING_TASK_QUEUE} runs them (one machine)`,
  );

// ---- inputs ---------------------------------------------------------------------------------

export const triggerContextSchema = z
  .object({
    env: z
      .record(z.string(), z.string())
      .describe(
        `The trigger's values of the setting env vars (contract.json triggerEnvNames lists them), e.g. STIGMER_LLM_MODEL. Never secrets: API keys are read by the worker.`,
      ),
    homeDir: z
      .string()
      .regex(ABSOLUTE_PATH)
      .describe(
        "The trigger's home directory (absolute, POSIX or Windows): where its .stigmer/config.yaml and workspace are",
      ),
  })
  .describe(
    'What the trigger hands the worker so the provision resolves the same configuration whichever worker runs it',
  );

export const provisionInputSchema = z
  .object({
    flags: z
      .object({
        runner: dockerName,
        config: z
          .string()
          .optional()
          .describe('Config file path on the worker machine (flag:--config); default <homeDir>/.stigmer/config.yaml'),
        image: z.string().optional().describe('Runner image (flag:--image)'),
        network: z.enum(NETWORK_CHOICES).optional().describe('Network mode override (flag:--network); default auto'),
        contract: z
          .enum(RELEASE_CHOICES)
          .optional()
          .describe("The runner release's env contract (flag:--contract); default auto, read off the image"),
        replace: z
          .boolean()
          .optional()
          .describe(
            "A container of the runner's name that stigmer-runner did not make (no dev.stigmer.managed-by=stigmer-runner label) may be replaced (flag:--replace); default false: the provision fails as PolicyRefused, leaving it alone",
          ),
      })
      .describe('The flag layer of the configuration cascade (flag > env > config file > default)'),
    trigger: triggerContextSchema
      .optional()
      .describe(
        'Omitted (e.g. `temporal workflow start`): each step resolves the configuration from the env and home of the worker that runs it',
      ),
    verify: z
      .object({
        maximumAttempts: positiveInt.optional().describe('Connectivity verification attempts; default 6'),
        initialIntervalMs: positiveInt
          .optional()
          .describe('First retry interval in ms, doubling up to 10 s; default 1000'),
      })
      .optional(),
    readyTimeoutMs: positiveInt
      .optional()
      .describe('How long the runner gets to poll its task queue after it starts; default 60000'),
    searchAttributes: z
      .boolean()
      .optional()
      .describe(
        'The Stigmer* search attributes are registered on the namespace: record the outcome in them; default false',
      ),
    host: hostName.optional(),
  })
  .meta({ title: 'provisionRunner input' });

export const teardownInputSchema = z
  .object({
    runner: dockerName,
    engine: sourced
      .optional()
      .describe('The Docker engine the trigger selected (its URL, and where that came from); absent: the worker’s own'),
    host: hostName.optional(),
    replace: z
      .boolean()
      .optional()
      .describe(
        "A container of the runner's name that stigmer-runner did not make may be removed too (flag:--replace); default false: the teardown fails as PolicyRefused and removes nothing",
      ),
  })
  .meta({ title: 'teardownRunner input' });

export type TriggerContext = z.infer<typeof triggerContextSchema>;
export type ProvisionInput = z.infer<typeof provisionInputSchema>;
export type TeardownInput = z.infer<typeof teardownInputSchema>;

// ---- outputs --------------------------------------------------------------------------------

export const stepProgressSchema = z
  .object({
    name: z.string().describe(`The step's activity: ${STEP_NAMES.join(', ')} (in this order; more may be added)`),
    status: z.enum(['pending', 'running', 'succeeded', 'failed']),
    attempts: z.number().int().nonnegative().describe('Attempts so far (1 after a first try that succeeded)'),
    startedAt: z.number().optional().describe('Epoch ms of the first attempt'),
    durationMs: z.number().optional(),
    summary: z.string().optional().describe('What the step does, e.g. what it waits for and how long'),
    note: z
      .string()
      .optional()
      .describe('What a succeeded step produced, e.g. "network bridge via host.docker.internal"'),
    error: z.string().optional().describe("A failed step's message (may span lines)"),
  })
  .meta({ id: 'StepProgress' });

export const checkResultSchema = z
  .object({
    service: z.string().describe('temporal, backend, ollama or workspace'),
    site: z.string().describe('Where it was probed from: container, host or bridge-gateway'),
    target: z.string(),
    ok: z.boolean(),
    detail: z.string(),
    ms: z.number(),
  })
  .meta({ id: 'CheckResult' });

export const serviceDiagnosisSchema = z
  .object({
    service: z.string(),
    ok: z.boolean(),
    healable: z.boolean().describe('Waiting may fix it (the service is down everywhere, so it may still be starting)'),
    summary: z.string(),
    cause: z.string().optional(),
    fix: z.string().optional(),
  })
  .meta({ id: 'ServiceDiagnosis' });

const networkPlanSchema = z
  .object({
    mode: z.enum(['host', 'bridge']),
    extraHosts: z.array(z.string()).describe('name:address entries of the container (--add-host)'),
    hostAlias: z
      .string()
      .nullable()
      .describe('The name the container dials for this machine (bridge mode); null in host mode'),
    networkMode: z.string().optional().describe("The engine's NetworkMode for the container"),
    engine: z.object({ kind: z.string().optional(), description: z.string().optional() }).optional(),
    runner: z
      .object({ contract: z.string(), taskQueue: z.string() })
      .optional()
      .describe('The runner release and the queue readiness waits on (absent in plans made before 2026-11)'),
  })
  .describe('How the container reaches this machine. Only these fields are promised; the rest is the worker’s')
  .meta({ id: 'NetworkPlan' });

/** What the worker's policy refused (a PolicyRefused failure), and how to allow it. */
const refusalSchema = z
  .object({
    subject: z.string().describe('What was refused: container'),
    value: z.string().describe('Which one, e.g. the container’s name'),
    setting: z.string().describe('The input setting that would allow it, e.g. flags.replace'),
    rule: z.string().describe('The rule that refused it, e.g. not-managed'),
    allow: z.string().describe('How to allow it, in words'),
  })
  .meta({ id: 'Refusal' });

const runnerContainerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    image: z.string().optional(),
    action: z.string().optional().describe('created, reused, restarted or replaced'),
  })
  .meta({ id: 'RunnerContainer' });

export const provisionProgressSchema = z
  .object({
    runnerName: z.string(),
    status: z.enum(['running', 'ready', 'failed']),
    steps: z.array(stepProgressSchema),
    checks: z.array(checkResultSchema).describe("Connectivity checks of the last verification (also a failed one's)"),
    diagnoses: z.array(serviceDiagnosisSchema),
    plan: networkPlanSchema.optional(),
    container: runnerContainerSchema.optional(),
    error: z
      .object({
        type: z.string().describe('A failure type (contract.json failureTypes) or an unexpected error’s name'),
        message: z.string(),
      })
      .optional(),
    stoppedAfterFailure: z
      .object({ container: z.string(), stopped: z.boolean(), message: z.string() })
      .optional()
      .describe('A runner that failed verification is stopped (kept for its logs) so it takes no work'),
    refusals: z
      .array(refusalSchema)
      .optional()
      .describe('A PolicyRefused provision: what the worker refused, before acting on any of it'),
  })
  .meta({
    title: 'provisionRunner progress',
    description: 'The `progress` query result, and details[0] of the application failure a failed provision ends with',
  });

export const provisionResultSchema = provisionProgressSchema
  .extend({
    status: z.literal('ready'),
    plan: networkPlanSchema,
    container: runnerContainerSchema,
    config: z
      .object({ runner: z.object({ name: sourced, image: sourced }) })
      .describe(
        'The resolved configuration, each value with its source (flag:--x, env:NAME, file:PATH#key, default); only runner.name and runner.image are promised',
      ),
    ready: z
      .object({ poller: z.object({ identity: z.string() }) })
      .describe("The runner's poller that proved it ready"),
  })
  .meta({
    title: 'provisionRunner result',
    description: 'The result of a provision that completed: the runner is ready',
  });

export const teardownResultSchema = z
  .object({
    runner: z.string(),
    removed: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        state: z.string().describe('Its state before removal, e.g. running, exited'),
        removedBecause: z
          .string()
          .optional()
          .describe(
            "Why a container stigmer-runner did not make was removed: Stigmer's own CLI made it, or the input said replace",
          ),
      }),
    ),
  })
  .meta({ title: 'teardownRunner result' });

export type PublishedProgress = z.infer<typeof provisionProgressSchema>;
export type PublishedResult = z.infer<typeof provisionResultSchema>;
export type TeardownResult = z.infer<typeof teardownResultSchema>;

// ---- the published documents ------------------------------------------------------------------

const SCHEMAS = {
  'provision-runner.input': provisionInputSchema,
  'provision-runner.progress': provisionProgressSchema,
  'provision-runner.result': provisionResultSchema,
  'teardown-runner.input': teardownInputSchema,
  'teardown-runner.result': teardownResultSchema,
} as const;

export type SchemaName = keyof typeof SCHEMAS;

export const CONTRACT_DIR = `docs/contract/v${CONTRACT_VERSION}`;

const EXIT_CODE_MEANINGS: Record<keyof typeof EXIT_CODES, string> = {
  ready: 'the runner is provisioned and verified',
  failed: 'the provision failed (any failure not listed below)',
  invalidInput: 'invalid configuration or workflow input',
  unreachable:
    'a service is out of reach: connectivity verification failed (the runner container cannot reach one), or the trigger could not connect to Temporal',
  hostOffline: 'the host the provision is routed to has no worker polling its queue',
  refused:
    "the worker's own policy refused a value of the input (failure details list each value, the setting it came from, and how to allow it); nothing was created or changed",
  imageUnavailable:
    'the runner image is not on the engine and cannot be pulled (missing, registry down, credentials refused)',
  noWorker:
    'no worker polled runner_provisioning within a few seconds of the start, and the trigger runs none of its own (the Go trigger; the provision stays queued for a worker)',
  unhealthy: '`stigmer-runner status`: the runner is not healthy',
};

/** Names, ids, queue, query, search attributes, failure types and exit codes: what a client in any language reads. */
export function contractNames() {
  const schema = (name: SchemaName) => `${name}.schema.json`;
  return {
    version: CONTRACT_VERSION,
    taskQueue: PROVISIONING_TASK_QUEUE,
    hostTaskQueue: hostTaskQueue('<host>'),
    hostScheduleToStartMs: HOST_SCHEDULE_TO_START_MS,
    workflows: {
      [WORKFLOW_TYPES.provision]: {
        workflowIdPrefix: WORKFLOW_ID_PREFIXES.provision,
        workflowId: `${WORKFLOW_ID_PREFIXES.provision}<runner>`,
        workflowIdWithHost: `${WORKFLOW_ID_PREFIXES.provision}<runner>@<host>`,
        workflowIdConflictPolicy: 'USE_EXISTING',
        input: schema('provision-runner.input'),
        result: schema('provision-runner.result'),
        failureDetails: schema('provision-runner.progress'),
        queries: { [QUERY_NAMES.progress]: schema('provision-runner.progress') },
      },
      [WORKFLOW_TYPES.teardown]: {
        workflowIdPrefix: WORKFLOW_ID_PREFIXES.teardown,
        workflowId: `${WORKFLOW_ID_PREFIXES.teardown}<runner>`,
        workflowIdWithHost: `${WORKFLOW_ID_PREFIXES.teardown}<runner>@<host>`,
        workflowIdConflictPolicy: 'USE_EXISTING',
        input: schema('teardown-runner.input'),
        result: schema('teardown-runner.result'),
        queries: {},
      },
    },
    searchAttributes: Object.values(SEARCH_ATTRIBUTES).map(({ name, type }) => ({ name, type })),
    failureTypes: Object.values(FAILURE_TYPES),
    /** A trigger's exit codes; `failureTypes` are the provision failures that give the code (any other failure: `failed`). */
    exitCodes: Object.entries(EXIT_CODES).map(([name, code]) => ({
      name,
      code,
      meaning: EXIT_CODE_MEANINGS[name as keyof typeof EXIT_CODES],
      failureTypes: [...(EXIT_CODE_FAILURE_TYPES[code] ?? [])],
    })),
    /** The env vars a trigger hands over in `trigger.env` when set (never secrets). */
    triggerEnvNames: [...SETTING_ENV_NAMES],
    /** Of those, the URLs whose user-info a trigger masks (`user:***@`, `***@`): the worker that uses them supplies the credentials. */
    maskedTriggerEnvNames: [...CREDENTIAL_URL_ENV_NAMES],
  };
}

/** Every file of docs/contract/v<N>/ generated from the code, by name, as committed (2-space JSON, final newline). */
export function contractDocuments(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const documents: Record<string, string> = { 'contract.json': json(contractNames()) };
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    // `input`: objects stay open (the schemas accept keys they do not name), as the contract promises.
    const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
    documents[`${name}.schema.json`] = json({ $schema: generated.$schema, $id: `${name}.schema.json`, ...generated });
  }
  return documents;
}
