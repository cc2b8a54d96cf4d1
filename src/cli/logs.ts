/**
 * `stigmer-runner logs`: the runner container's log, as `stigmer server logs agent-runner` shows it
 * to Stigmer users — only a container stigmer-runner made for this runner (labelled as ours), never
 * one that merely has its name. `--follow` streams until the container stops or SIGINT.
 */
import { homedir } from 'node:os';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Dockerode from 'dockerode';
import { knownSecretValues } from '../activities/known-secrets';
import { redactSecrets } from '../core/settings/secrets';
import type { ConfigFlags } from '../core/settings/types';
import { EXIT_CODES } from '../core/contract/names';
import { isManaged, LABELS } from '../core/runner/container-spec';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { connectDocker } from '../docker/client';
import { streamLogs } from '../docker/logs';
import { findRunnerContainers } from '../docker/runner-container';
import { commandContext } from './command';
import { shortId } from './render';

export interface LogsRequest {
  follow: boolean;
  tail?: number;
}

export async function logsCommand(flags: ConfigFlags, request: LogsRequest, env: NodeJS.ProcessEnv): Promise<number> {
  const { runner, loaded } = commandContext(flags, false, env);
  const { docker, endpoint } = connectDocker(env);
  const found = await findRunnerContainers(docker, runner);
  const ours = logContainer(found, runner);
  if (!ours) {
    process.stderr.write(`stigmer-runner: ${noContainerLine(runner, found, endpoint.url)}\n`);
    return EXIT_CODES.unhealthy;
  }
  const interrupted = new AbortController();
  const stop = () => interrupted.abort();
  process.once('SIGINT', stop);
  // The runner may print what it was given (an LLM key, a proxy's password): never shown by us. What
  // it was given is in its own env (whoever provisioned it); this command's config may name more.
  const container = docker.getContainer(ours.Id);
  const secrets = [
    ...knownSecretValues({ env, homeDir: env.HOME ?? homedir() }, loaded.config),
    ...secretsInEnv((await container.inspect()).Config.Env ?? []),
  ];
  const out = { stdout: redactingLines(process.stdout, secrets), stderr: redactingLines(process.stderr, secrets) };
  try {
    await streamLogs(container, { ...request, signal: interrupted.signal }, out);
  } finally {
    process.off('SIGINT', stop);
    out.stdout.end();
    out.stderr.end();
  }
  return EXIT_CODES.ready;
}

/** Every release's secret variables (their values, as the container holds them). */
const SECRET_NAMES = new Set(Object.values(RUNNER_RELEASES).flatMap((release) => release.secrets));

export function secretsInEnv(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const at = entry.indexOf('=');
    const value = entry.slice(at + 1);
    return at > 0 && value && SECRET_NAMES.has(entry.slice(0, at)) ? [value] : [];
  });
}

/** A line longer than this is written out (masked) without waiting for its end: a progress bar never ends one. */
const LONGEST_HELD_LINE = 64 * 1024;

/**
 * Writes whole lines to `target` with every known secret value replaced (a value split across two
 * chunks is still caught; a character split across two is decoded whole).
 */
export function redactingLines(target: NodeJS.WritableStream, secrets: readonly string[]): Writable {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + decoder.write(chunk)).split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > LONGEST_HELD_LINE) {
        lines.push(pending);
        pending = '';
      }
      if (lines.length > 0) target.write(redactSecrets(`${lines.join('\n')}\n`, secrets));
      done();
    },
    final(done) {
      const rest = pending + decoder.end();
      if (rest) target.write(redactSecrets(rest, secrets));
      done();
    },
  });
}

/** The runner's container as we made it: labelled ours for this runner; of several, the running one, else the newest. */
export function logContainer(found: Dockerode.ContainerInfo[], runner: string): Dockerode.ContainerInfo | undefined {
  const ours = found.filter((info) => isManaged(info.Labels ?? {}) && info.Labels?.[LABELS.runner] === runner);
  const rank = (info: Dockerode.ContainerInfo) => (info.State === 'running' ? 1 : 0);
  return ours.sort((a, b) => rank(b) - rank(a) || b.Created - a.Created)[0];
}

/** Why there is nothing to show, naming the runner — and a container of its name we did not make, whose log is its owner's to read. */
function noContainerLine(runner: string, found: Dockerode.ContainerInfo[], engine: string): string {
  const line = `runner ${runner} has no container made by stigmer-runner on ${engine} (labelled ${LABELS.runner}=${runner}); provision it with \`stigmer-runner run\``;
  const other = found[0];
  if (!other) return line;
  const name = other.Names[0]?.replace(/^\//, '') ?? shortId(other.Id);
  return `${line}. Container ${name} (${shortId(other.Id)}) has its name but not our labels: read it with \`docker logs ${name}\``;
}
