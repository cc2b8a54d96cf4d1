/**
 * Only what it manages (issue 23): whether the worker may remove or replace a container it found by
 * the runner's name or label. Its input may come from anyone who reaches the namespace, so a
 * container stigmer-runner did not make — a user's own that merely has the runner's name — is left
 * alone unless the input says to replace it, and the refusal says how to allow it. The docker edge
 * (`src/docker/runner-container.ts`) gathers the facts and acts; this decides, before anything is
 * removed or created.
 */
import { imageParts } from '../policy/judge';
import type { Refusal } from '../policy/types';
import { isManaged } from './container-spec';

export type { Refusal } from '../policy/types';

export type ReplaceSetting = 'flags.replace' | 'replace';

/**
 * Stigmer's own CLI started its runner as `docker run --name stigmer-agent-runner
 * ghcr.io/stigmer/agent-runner:…`, without labels, before this project existed: that container is
 * this project's predecessor, so it is replaced (or torn down) without asking — and the output says so.
 */
export const STIGMER_CLI_RUNNER = { name: 'stigmer-agent-runner', repository: 'ghcr.io/stigmer/agent-runner' } as const;

/** A container found for the runner, as the takeover decision reads it. */
export interface FoundContainer {
  /** Its names, without the leading `/`. */
  names: string[];
  labels: Record<string, string>;
  /** The image reference it was created from (`Config.Image`), e.g. `ghcr.io/stigmer/agent-runner:0.9.0`. */
  image: string;
}

/** What the input asked: `replace: true`, and the setting that carries it. */
export interface ReplaceRequest {
  replace: boolean;
  setting: ReplaceSetting;
}

export type Takeover =
  | { allowed: true; because: 'managed' }
  /** Stigmer's own CLI made it (STIGMER_CLI_RUNNER). */
  | { allowed: true; because: 'stigmer-cli' }
  /** Not ours, but the input said to replace it. */
  | { allowed: true; because: 'replace-requested' }
  | { allowed: false; refusal: Refusal };

/** Whether the worker may remove `found` (to replace it, or to tear the runner down). */
export function takeover(found: FoundContainer, request: ReplaceRequest): Takeover {
  if (isManaged(found.labels)) return { allowed: true, because: 'managed' };
  if (madeByStigmerCli(found)) return { allowed: true, because: 'stigmer-cli' };
  if (request.replace) return { allowed: true, because: 'replace-requested' };
  const name = found.names[0] ?? '';
  return {
    allowed: false,
    refusal: {
      subject: 'container',
      value: name,
      setting: request.setting,
      rule: 'not-managed',
      allow: allow(request),
    },
  };
}

/** Stigmer's own CLI's runner: named `stigmer-agent-runner`, from an image of `ghcr.io/stigmer/agent-runner` (any tag, digest). */
export function madeByStigmerCli(found: Pick<FoundContainer, 'names' | 'image'>): boolean {
  return (
    found.names.includes(STIGMER_CLI_RUNNER.name) && imageRepository(found.image) === STIGMER_CLI_RUNNER.repository
  );
}

/** The repository of an image reference, as the policy reads it (core/policy/judge.ts `imageParts`). */
export function imageRepository(reference: string): string {
  return imageParts(reference).repository;
}

/** How to allow what was refused: the CLI flag, the input setting a trigger sets, or doing it by hand. */
function allow({ setting }: ReplaceRequest): string {
  if (setting === 'replace')
    return [
      'to remove it anyway, run `stigmer-runner teardown --replace` (workflow input: replace: true)',
      'or remove it yourself',
    ].join('; ');
  return [
    'to replace it, run `stigmer-runner run --replace` (workflow input: flags.replace: true)',
    'or remove or rename it yourself, or choose another runner name (--runner)',
  ].join('; ');
}
