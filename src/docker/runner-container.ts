/**
 * Makes the runner container match its spec, idempotently: a container this runner already has
 * (found by label or by name) is reused when its spec and image match, replaced when not — so a
 * retried step or a second run never leaves two. Only what stigmer-runner manages is replaced or
 * removed (core/runner/ownership.ts decides; this gathers the facts and acts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import {
  isManaged,
  LABELS,
  MANAGED_BY,
  replaceReason,
  runnerHostname,
  specFingerprint,
  type ContainerSpec,
  type ExistingContainer,
  type ReplaceReason,
} from '../core/runner/container-spec';
import { takeover, type Refusal, type ReplaceRequest, type Takeover } from '../core/runner/ownership';
import { PolicyRefusedError } from '../core/policy/errors';
import type { PullPolicy } from '../core/vocabulary';
import type { WorkspaceOwnership } from '../core/health/diagnosis';

export type ContainerAction = 'created' | 'reused' | 'restarted' | 'replaced';

export interface RunnerContainer {
  id: string;
  name: string;
  image: string;
  networkMode: string;
  /** The container's host name: the `@…` part of its Temporal worker identity. */
  hostname: string;
  action: ContainerAction;
  /** Why an existing container was replaced, when it was. */
  replacedBecause?: string;
  /** ISO time the container's current run started (readiness compares poller activity with it). */
  startedAt: string;
  /** Who owns the mounted workspace and what startContainer did about it. */
  workspace?: WorkspaceOwnership;
  /** The engine it runs on (its URL and how it was chosen), when the provision named one. */
  engine?: { value: string; source: string };
  /** Why the LLM's secrets were not given to this runner (the worker's policy), when they were not. */
  secretsWithheld?: string;
}

/** The image is not on the engine and cannot be pulled: retrying will not help. */
export class ImageUnavailableError extends Error {
  constructor(
    readonly image: string,
    reason: string,
  ) {
    super(`image ${image} is not available: ${reason}`);
    this.name = 'ImageUnavailableError';
  }
}

/** Called between engine calls and on pull progress, so a heartbeat shows the step is alive. */
export type OnProgress = () => void;

export interface EnsureOptions {
  /** The input's `flags.replace`: a container stigmer-runner did not make may be replaced. */
  replace?: boolean;
  onProgress?: OnProgress;
}

export async function ensureRunnerContainer(
  docker: Dockerode,
  spec: ContainerSpec,
  pull: PullPolicy,
  hashKey: Uint8Array,
  { replace = false, onProgress = () => undefined }: EnsureOptions = {},
): Promise<RunnerContainer> {
  // Decided before anything is pulled, removed or created: a refusal leaves the engine as it was.
  const found = await claimRunnerContainers(docker, spec.name, { replace, setting: 'flags.replace' });
  const imageId = await ensureImage(docker, spec.image, pull, onProgress);
  onProgress();
  const hash = specHash(spec, hashKey);
  let replacedBecause: string | undefined;

  for (const claimed of found) {
    const { info: existing } = claimed;
    const reason = replaceReason(existingContainer(existing), { name: spec.name, specHash: hash, imageId });
    if (reason === undefined) {
      const container = docker.getContainer(existing.Id);
      const running = existing.State === 'running';
      if (!running) await container.start();
      return describe(container, spec, running ? 'reused' : 'restarted');
    }
    replacedBecause = describeReplaceReason(reason, claimed, spec);
    await docker.getContainer(existing.Id).remove({ force: true }).catch(ignoreGone);
    onProgress();
  }

  const container = await createRunnerContainer(docker, spec, hash);
  return {
    ...(await describe(container, spec, replacedBecause ? 'replaced' : 'created')),
    ...(replacedBecause ? { replacedBecause } : {}),
  };
}

/**
 * Creates and starts the container. Its host name is drawn here, not in the spec: each container its
 * own (`runnerHostname`), so readiness counts only this container's poller; the spec hash leaves it out.
 */
async function createRunnerContainer(
  docker: Dockerode,
  spec: ContainerSpec,
  hash: string,
): Promise<Dockerode.Container> {
  // The bind sources exist already: startContainer created them without following a symlink
  // (docker/host-folders.ts), before the engine could create them as root.
  const container = await docker.createContainer({
    name: spec.name,
    Hostname: runnerHostname(spec.name, randomBytes(4).toString('hex')),
    Image: spec.image,
    Env: spec.env,
    Labels: { ...spec.labels, [LABELS.specHash]: hash },
    HostConfig: {
      NetworkMode: spec.networkMode,
      ExtraHosts: spec.extraHosts,
      Binds: spec.binds,
      RestartPolicy: { Name: spec.restartPolicy },
      LogConfig: spec.logConfig,
    },
  });
  await container.start();
  return container;
}

/** A container found for the runner, the image it was created from, and whether the worker may remove it. */
interface Claimed {
  info: Dockerode.ContainerInfo;
  name: string;
  image: string;
  takeover: Exclude<Takeover, { allowed: false }>;
}

/**
 * The runner's containers, each one the worker may remove (ours; Stigmer's own CLI's; or, as the
 * input asked, any): when any is not, the whole request is refused before anything is touched.
 */
async function claimRunnerContainers(
  docker: Dockerode,
  runnerName: string,
  request: ReplaceRequest,
): Promise<Claimed[]> {
  const found = await Promise.all(
    (await findRunnerContainers(docker, runnerName)).map(async (info) => {
      const names = info.Names.map((entry) => entry.replace(/^\//, ''));
      const labels = info.Labels ?? {};
      // Ours need no more; for another's, the reference it was created from (the listing shows an id
      // once its tag has moved on to another image).
      const image = isManaged(labels) ? info.Image : await createdFrom(docker, info);
      return { info, name: names[0] ?? runnerName, image, takeover: takeover({ names, labels, image }, request) };
    }),
  );
  const refused = found.flatMap((entry) =>
    entry.takeover.allowed ? [] : [{ ...entry, refusal: entry.takeover.refusal }],
  );
  if (refused.length > 0)
    throw new PolicyRefusedError(
      refused.map((entry) => entry.refusal),
      refused.map((entry) => refusalMessage(entry, entry.refusal)).join('\n'),
    );
  return found as Claimed[]; // every one allowed: a refused one threw above
}

/** The image reference a container was created from (`Config.Image`); the listing's when it is already gone. */
async function createdFrom(docker: Dockerode, info: Dockerode.ContainerInfo): Promise<string> {
  try {
    return (await docker.getContainer(info.Id).inspect()).Config.Image;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return info.Image;
    throw error;
  }
}

function refusalMessage({ name, image }: { name: string; image: string }, refusal: Refusal): string {
  const verb = refusal.setting === 'replace' ? 'remove' : 'replace';
  return (
    `stigmer-runner will not ${verb} container ${name} (image ${image}): it carries no stigmer-runner labels ` +
    `(${LABELS.managedBy}=${MANAGED_BY}), so stigmer-runner did not make it; ${refusal.allow}`
  );
}

/** Said in the output when a container stigmer-runner did not make is replaced or removed; nothing for its own. */
function takeoverNote(
  { name, image, takeover: allowed }: Claimed,
  setting: ReplaceRequest['setting'],
): string | undefined {
  const container = `container ${name} (image ${image})`;
  const done = setting === 'replace' ? 'removed' : 'replaced';
  switch (allowed.because) {
    case 'managed':
      return undefined;
    case 'stigmer-cli':
      return `${container} was made by Stigmer's own CLI before stigmer-runner: ${done} by its successor`;
    case 'replace-requested':
      return `${container} was not created by stigmer-runner: ${done} as the input asked (${setting}: true)`;
  }
}

/** Every container this runner has: by its label, and by its name (a container made before labels, e.g. by Stigmer's daemon). */
export async function findRunnerContainers(docker: Dockerode, runnerName: string): Promise<Dockerode.ContainerInfo[]> {
  const [byLabel, byName] = await Promise.all([
    docker.listContainers({ all: true, filters: { label: [`${LABELS.runner}=${runnerName}`] } }),
    // Podman's compat API matches names without the leading slash that Docker's filter wants
    // (`^/name$` finds nothing there); `^/?name$` works on both, and the exact check below keeps it exact.
    docker.listContainers({ all: true, filters: { name: [`^/?${escapeRegExp(runnerName)}$`] } }),
  ]);
  const named = byName.filter((info) => info.Names.some((name) => name.replace(/^\//, '') === runnerName));
  const seen = new Set<string>();
  return [...byLabel, ...named].filter((info) => !seen.has(info.Id) && seen.add(info.Id));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The spec's hash, as its container's `dev.stigmer.spec-hash` label carries it: an HMAC keyed with
 * the installation key (`settings/installation-key.ts`), since the spec's env holds the secrets and
 * the label is readable by anyone who can list containers. Same spec and key, same hash — so warm
 * runs and start-or-attach keep the container; a rotated API key changes the env and so the hash.
 */
export function specHash(spec: ContainerSpec, key: Uint8Array): string {
  return createHmac('sha256', key).update(specFingerprint(spec)).digest('hex').slice(0, 16);
}

/** A listed container as the reuse decision reads it. */
export function existingContainer(info: Dockerode.ContainerInfo): ExistingContainer {
  return {
    names: info.Names.map((entry) => entry.replace(/^\//, '')),
    labels: info.Labels ?? {},
    imageId: info.ImageID,
    state: info.State,
  };
}

function describeReplaceReason(reason: ReplaceReason, claimed: Claimed, spec: ContainerSpec): string {
  const { name } = claimed;
  switch (reason.kind) {
    case 'not-managed':
      return takeoverNote(claimed, 'flags.replace') ?? `container ${name} was not created by stigmer-runner`;
    case 'other-name':
      return `container ${name} carries this runner's label under another name`;
    case 'spec-changed':
      return 'its configuration changed';
    case 'image-updated':
      return `image ${spec.image} was updated`;
    case 'unusable':
      return `it is ${reason.state}`;
  }
}

async function describe(
  container: Dockerode.Container,
  spec: ContainerSpec,
  action: ContainerAction,
): Promise<RunnerContainer> {
  const info = await container.inspect();
  return {
    id: info.Id,
    name: spec.name,
    image: spec.image,
    networkMode: info.HostConfig.NetworkMode ?? spec.networkMode,
    hostname: info.Config.Hostname,
    action,
    startedAt: info.State.StartedAt,
  };
}

/** Returns the image id, pulling per policy; a pull's error lines arrive inside the stream, not as `err`. */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  pull: PullPolicy,
  onProgress: OnProgress,
): Promise<string> {
  const present = await imageId(docker, image);
  if (present && pull !== 'always') return present;
  if (pull === 'never')
    throw new ImageUnavailableError(
      image,
      'it is not on the engine and pulling is disabled (pull: never); build or load it first',
    );
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (error: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
          const failed = events?.find((event) => event.error || event.errorDetail);
          if (error || failed) reject(error ?? new Error(failed?.errorDetail?.message ?? failed?.error));
          else resolve();
        },
        onProgress,
      ),
    );
  } catch (error) {
    if (present) return present; // `always` but the registry is unreachable: keep what we have
    throw new ImageUnavailableError(image, `it is not on the engine and the pull failed: ${(error as Error).message}`);
  }
  const pulled = await imageId(docker, image);
  if (!pulled)
    throw new ImageUnavailableError(image, 'the pull reported success but the engine does not list the image');
  return pulled;
}

/** The image's id on the engine, or undefined when it is not there. */
export async function imageId(docker: Dockerode, image: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

export interface RemovedContainer {
  id: string;
  name: string;
  state: string;
  /** Why a container stigmer-runner did not make was removed, when it was (Stigmer's own CLI's, or as asked). */
  removedBecause?: string;
}

/**
 * Stops (gracefully, then by force) and removes every container of this runner — only when each is
 * the worker's to remove (`replace`: the input's, allowing any); otherwise it refuses and removes none.
 */
export async function removeRunnerContainers(
  docker: Dockerode,
  runnerName: string,
  { replace = false, onProgress = () => undefined }: EnsureOptions = {},
): Promise<RemovedContainer[]> {
  const removed: RemovedContainer[] = [];
  for (const claimed of await claimRunnerContainers(docker, runnerName, { replace, setting: 'replace' })) {
    const { info: existing } = claimed;
    const container = docker.getContainer(existing.Id);
    if (existing.State === 'running') await container.stop({ t: 10 }).catch(ignoreGone);
    onProgress();
    await container.remove({ force: true }).catch(ignoreGone);
    const removedBecause = takeoverNote(claimed, 'replace');
    removed.push({
      id: existing.Id,
      name: claimed.name,
      state: existing.State,
      ...(removedBecause ? { removedBecause } : {}),
    });
  }
  return removed;
}

/**
 * Seconds a runner that failed verification gets to stop before it is killed. Short: it must take
 * no more work, and a runner that handles no SIGTERM as PID 1 ignores it (the kernel gives PID 1 no
 * default action), so Docker's usual 10 s would only delay the report.
 */
const FAILED_RUNNER_STOP_SECONDS = 3;

/** Stops one runner container and keeps it (its logs stay readable); already stopped or gone is fine. */
export async function stopRunnerContainer(docker: Dockerode, id: string): Promise<string> {
  const container = docker.getContainer(id);
  await container.stop({ t: FAILED_RUNNER_STOP_SECONDS }).catch(ignoreGone);
  const state = await container.inspect().then(
    (info) => info.State.Status,
    () => 'gone',
  );
  return state;
}

/** 304 already stopped, 404 already gone, 409 removal in progress: the wanted end state. */
function ignoreGone(error: { statusCode?: number }): void {
  if (![304, 404, 409].includes(error.statusCode ?? 0)) throw error;
}
