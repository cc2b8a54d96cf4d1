/**
 * The worker's policy as data, and what it says about a value: types only, a leaf (as
 * core/settings/types.ts). The policy comes from the worker's side — its user, its own configuration,
 * the machine's accounts — never from the workflow input it judges (src/settings/worker-policy.ts
 * gathers it; the judgments are in this room's other files).
 */
import type { Sourced } from '../settings/types';

/** A local account whose triggers the worker serves: its home holds the config and workspaces it may use. */
export interface ServedAccount {
  name: string;
  /** Canonical (symlinks resolved) absolute path. */
  home: string;
  uid: number;
  gid: number;
}

/** What the worker's own configuration says, where a trigger's value is compared with it. */
export interface OwnSettings {
  image?: string;
  engine?: string;
  /** Canonical. */
  workspaceDir?: string;
  llmBaseUrl?: string;
  /** Where the worker's own LLM key comes from (`env:ANTHROPIC_API_KEY`, `file:…#…api_key`), or null: none. */
  llmApiKeySource?: string | null;
}

export interface WorkerPolicy {
  /** The worker's own user; also the first of `accounts`. */
  worker: ServedAccount;
  accounts: ServedAccount[];
  own: OwnSettings;
  /** Canonical roots a workspace may lie in, beyond `<served home>/.stigmer/data`. */
  workspaceRoots: Sourced<string>[];
  /** Engine URLs a trigger may pick, beyond the worker's own. */
  engines: Sourced<string>[];
  /** Image repositories (`ghcr.io/acme/runner`) or pinned references (`repo@sha256:…`) beyond the worker's own image. */
  images: Sourced<string>[];
  /** Files the worker's own configuration reads (its config file, temporal.toml, docker config): readable whatever their folder. */
  ownFiles: string[];
}

/** What a refusal is about. */
export type PolicySubject = 'home' | 'file' | 'workspace' | 'engine' | 'image' | 'container';

/** Why, as a closed set: sentences are made from it at the edge. */
export type RefusalRule =
  | 'not-served' // a home that is not the worker's or a served account's
  | 'outside-roots' // a path outside every allowed root
  | 'system-folder' // `/` or a folder of the operating system
  | 'symlink' // a symlink where the policy follows none
  | 'untrusted-folder' // a folder on the way that another user could change
  | 'not-regular' // a FIFO, device, socket or folder where a file was to be read
  | 'too-large'
  | 'foreign-owner' // a file owned by neither the account nor the worker
  | 'not-allowed' // an engine or image the worker's configuration does not list
  | 'mount-mismatch' // the engine mounted another folder than the one approved
  | 'not-managed'; // a container this project did not make

/** One value outside the worker's policy: the value, where it came from, and how to allow it. */
export interface Refusal {
  subject: PolicySubject;
  value: string;
  /** The source of the value: `env:STIGMER_RUNNER_WORKSPACE_DIR`, `trigger.homeDir`, `flag:--image`, … */
  setting: string;
  rule: RefusalRule;
  /** What the worker's operator can do to allow it (or the input to say). */
  allow: string;
}
