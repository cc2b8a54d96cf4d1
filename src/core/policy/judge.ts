/**
 * The worker's judgments of a provision's values against its own policy: each returns the refusal,
 * or undefined when the value is allowed. Pure: the I/O edge canonicalises paths and stats files, and
 * hands the facts in; `judgeProvision` lists every refusal of a provision at once.
 */
import type { Sourced } from '../settings/types';
import { isSystemFolder, isWithin } from './paths';
import type { Refusal, ServedAccount, WorkerPolicy } from './types';

/** How the operator allows more: every `allow` names the worker's own config file and its key. */
function inWorkerConfig(key: string, value: string): string {
  return `to allow it, add ${value} to ${key} in the worker's own config.yaml (worker: section) and restart the worker`;
}

/** A refusal of a sourced value: what it is about, the value, where it came from, why, and how to allow it. */
function refuse(subject: Refusal['subject'], value: Sourced<string>, rule: Refusal['rule'], allow: string): Refusal {
  return { subject, value: value.value, setting: value.source, rule, allow };
}

/** The account a claimed home belongs to: the worker's own or a served one, compared canonically. */
export function servedAccount(canonicalHome: string, policy: WorkerPolicy): ServedAccount | undefined {
  return policy.accounts.find((account) => account.home === canonicalHome);
}

export function judgeHome(claimed: string, canonical: string | undefined, policy: WorkerPolicy): Refusal | undefined {
  if (canonical !== undefined && servedAccount(canonical, policy)) return undefined;
  return {
    subject: 'home',
    value: claimed,
    setting: 'trigger.homeDir',
    rule: 'not-served',
    allow: inWorkerConfig('worker.serve_accounts', "the account's name"),
  };
}

/** Where the account's workspaces may lie: its own `.stigmer/data` — not another served account's — and the configured roots. */
export function workspaceRoots(account: ServedAccount, policy: WorkerPolicy): string[] {
  return [`${account.home}/.stigmer/data`, ...policy.workspaceRoots.map((root) => root.value)];
}

/** Strictly below a root: the root itself holds other workspaces, and is not to be given to one runner. */
const isBelow = (path: string, root: string) => path !== root && isWithin(path, root);

/** `..` or `.` left in a path this machine could not resolve (a Windows path on a POSIX worker): not judged by its text. */
const hasDotSegments = (path: string) => /(^|[\\/])\.{1,2}([\\/]|$)/.test(path);

export function judgeWorkspace(
  workspace: Sourced<string>,
  canonical: string,
  account: ServedAccount,
  policy: WorkerPolicy,
): Refusal | undefined {
  const refusal = (rule: Refusal['rule'], allow: string) => refuse('workspace', workspace, rule, allow);
  const roots = workspaceRoots(account, policy);
  if (isSystemFolder(canonical) || hasDotSegments(canonical))
    return refusal('system-folder', `choose a folder of its own, e.g. under ${roots[0]}`);
  if (canonical === policy.own.workspaceDir) return undefined;
  if (roots.some((root) => isBelow(canonical, root))) return undefined;
  return refusal(
    'outside-roots',
    `a workspace lies below ${roots[0]}; ${inWorkerConfig('worker.workspace_roots', 'its folder')}`,
  );
}

export function judgeEngine(engine: Sourced<string>, policy: WorkerPolicy): Refusal | undefined {
  if (engine.value === policy.own.engine || policy.engines.some((allowed) => allowed.value === engine.value))
    return undefined;
  return refuse('engine', engine, 'not-allowed', inWorkerConfig('worker.engines', engine.value));
}

/** `ghcr.io/a/b:1@sha256:…` → repository `ghcr.io/a/b`, digest `sha256:…`; Docker Hub's implicit prefixes dropped. */
export function imageParts(reference: string): { repository: string; digest?: string } {
  const [named, digest] = reference.split('@', 2);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const repository = (colon > slash ? named.slice(0, colon) : named)
    .replace(/^docker\.io\/library\//, '')
    .replace(/^(docker\.io|index\.docker\.io)\//, '');
  return digest === undefined ? { repository } : { repository, digest };
}

/** An allow-list entry with a digest pins that digest; one without allows the repository's every tag. */
function imageAllowedBy(image: string, entry: string): boolean {
  const wanted = imageParts(image);
  const allowed = imageParts(entry);
  if (wanted.repository !== allowed.repository) return false;
  return allowed.digest === undefined || wanted.digest === allowed.digest;
}

export function judgeImage(image: Sourced<string>, policy: WorkerPolicy): Refusal | undefined {
  if (image.value === policy.own.image || policy.images.some((entry) => imageAllowedBy(image.value, entry.value)))
    return undefined;
  const allow = `an image's own labels are not a credential (anyone can build one); ${inWorkerConfig('worker.images', imageParts(image.value).repository)}`;
  return refuse('image', image, 'not-allowed', allow);
}

/** The largest file the worker reads because of a workflow's input (a config file is a few KiB). */
export const MAX_INPUT_FILE_BYTES = 256 * 1024;

/** A file as the I/O edge found it: opened without following a symlink, then fstat'ed. */
export interface FileFacts {
  /** The path as the input named it. */
  path: string;
  /** Its canonical path. */
  real: string;
  kind: 'file' | 'directory' | 'other';
  size: number;
  uid: number;
  /** The setting that led to the read: `env:STIGMER_CONFIG`, `default`, `file:…#…api_key`. */
  setting: string;
}

/**
 * Whether the worker may read a file because of a trigger served as `account`: one of the worker's
 * own files, or a regular, small file of that account inside its home — never a FIFO or device
 * (they would block or never end), never another user's file (its contents could reach an error).
 */
export function judgeFileRead(file: FileFacts, account: ServedAccount, policy: WorkerPolicy): Refusal | undefined {
  const refusal = (rule: Refusal['rule'], allow: string) =>
    refuse('file', { value: file.path, source: file.setting }, rule, allow);
  if (file.kind !== 'file') return refusal('not-regular', 'name a regular file');
  if (file.size > MAX_INPUT_FILE_BYTES)
    return refusal('too-large', `a config file is at most ${MAX_INPUT_FILE_BYTES} bytes`);
  if (policy.ownFiles.includes(file.real)) return undefined;
  if (!isWithin(file.real, account.home))
    return refusal('outside-roots', `a file read for ${account.name} lies in its home ${account.home}`);
  if (file.uid !== account.uid)
    return refusal('foreign-owner', `a file read for ${account.name} is owned by ${account.name} (uid ${account.uid})`);
  return undefined;
}

/**
 * Whether the LLM's secrets (its API key, a base URL's password) may go into this runner's env: only
 * where the worker's own configuration sends them — the same endpoint, and the key from the same
 * place as the worker's own. A key of a served account's own goes with a worker of that account's
 * own (`run`'s in-process worker), not with this one: which file is whose is for the I/O edge to
 * prove, and the worker's key must never be taken for it.
 */
export function secretsMayGo(
  runner: { llmBaseUrl: string; apiKeySource: string | null },
  policy: WorkerPolicy,
): boolean {
  if (runner.llmBaseUrl !== policy.own.llmBaseUrl) return false;
  return runner.apiKeySource === null || runner.apiKeySource === policy.own.llmApiKeySource;
}

/** A provision's values as the I/O edge canonicalised them. */
export interface ProvisionFacts {
  home: { claimed: string; canonical: string | undefined };
  workspace: { value: Sourced<string>; canonical: string };
  engine?: Sourced<string>;
  image: Sourced<string>;
}

/** Every refusal of a provision, so the user fixes them in one go. */
export function judgeProvision(facts: ProvisionFacts, policy: WorkerPolicy): Refusal[] {
  const account = facts.home.canonical === undefined ? undefined : servedAccount(facts.home.canonical, policy);
  return [
    judgeHome(facts.home.claimed, facts.home.canonical, policy),
    account ? judgeWorkspace(facts.workspace.value, facts.workspace.canonical, account, policy) : undefined,
    facts.engine ? judgeEngine(facts.engine, policy) : undefined,
    judgeImage(facts.image, policy),
  ].filter((refusal): refusal is Refusal => refusal !== undefined);
}

/**
 * Whether a folder above a workspace is safe to mount through: owned by root, the worker's user or
 * the account served, and writable by no one else — unless sticky (as /tmp), where only an entry's
 * owner may rename it, and that entry is judged in turn.
 */
export function trustsFolder(
  folder: { uid: number; mode: number },
  account: ServedAccount,
  policy: WorkerPolicy,
): boolean {
  const owners = [0, policy.worker.uid, account.uid];
  const othersMayWrite = (folder.mode & 0o022) !== 0;
  const sticky = (folder.mode & 0o1000) !== 0;
  return owners.includes(folder.uid) && (!othersMayWrite || sticky);
}
