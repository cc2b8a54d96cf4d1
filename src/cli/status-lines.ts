/**
 * `status`'s document (`--json`) and its lines, as a reader sees them (status.ts gathers, core/health/runner-health.ts judges). Every check
 * line says from which side it was made and when: `now` for what this command checked (the header
 * gives the absolute time), `at provision N min ago (ISO)` for the last provision's checks, which are
 * printed under "history" and never as current.
 */
import { LIVE_POLLER_WINDOW_MS } from '../core/pollers';
import type { HealthProblem } from '../core/health/runner-health';
import type { CheckResult, ProbeSite, RecordedCheck } from '../core/health/diagnosis';
import type { CheckSide, RunnerHealth, RunnerHealthFacts } from '../core/health/runner-health';
import type { LastProvision } from './last-provision';
import { isoSeconds, shortId } from './render';

// ---- the document (`status --json`) ----------------------------------------------------------

export interface ContainerShown {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  networkMode: string;
  /** Asked of the engine by this command, from this machine. */
  side: CheckSide;
  checkedAt: string;
}

/** One check as `status` shows it: made now by this command (`current`), or by the last provision (history). */
export interface StatusCheck extends Pick<CheckResult, 'service' | 'site' | 'target' | 'ok' | 'detail'> {
  side: CheckSide;
  /** When it was made (ISO): now, or when the last provision verified (history). */
  checkedAt: string;
  current: boolean;
  /** `now`: by this command; `at-provision`: by the last provision, not rechecked. */
  when: 'now' | 'at-provision';
}

export interface PollShown {
  taskQueue: string;
  side: CheckSide;
  /** When Temporal's pollers were listed. */
  checkedAt: string;
  ok: boolean;
  identity?: string;
  /** The runner's own last poll (ISO), fresh or not. */
  lastAccessTime?: string;
  ageMs?: number;
  error?: string;
}

export interface RunnerStatus {
  runner: string;
  host: string;
  /** When this command looked (ISO). */
  checkedAt: string;
  healthy: boolean;
  problems: RunnerHealth['problems'];
  /** Absent for another host: its engine is seen only by its own worker. */
  containers?: ContainerShown[];
  poll?: PollShown;
  /** Checks made now from this machine, then the last provision's checks as history. */
  checks: StatusCheck[];
  lastProvision?: LastProvision;
}

/** The services checked now, as the health facts carry them. */
type StatusServices = RunnerHealthFacts['services'];

export function currentChecks(services: StatusServices): StatusCheck[] {
  if (!services || 'error' in services) return [];
  const checkedAt = new Date(services.checkedAt).toISOString();
  return services.checks.map((check) => shownCheck(check, checkedAt, 'now'));
}

/** The last provision's checks, each labelled with when it verified: history, never shown as now. */
export function pastChecks(last: LastProvision | undefined): StatusCheck[] {
  const checks = last?.progress?.checks ?? [];
  if (checks.length === 0 || !last) return [];
  const checkedAt = verifiedAt(last);
  return checks.map((check) => shownCheck(check, checkedAt, 'at-provision'));
}

/** When the last provision verified: its verifyConnectivity step's end, else its close, else its start. */
function verifiedAt(last: LastProvision): string {
  const step = last.progress?.steps.find((entry) => entry.name === 'verifyConnectivity');
  if (step?.startedAt !== undefined) return new Date(step.startedAt + (step.durationMs ?? 0)).toISOString();
  return last.closeTime ?? last.startTime;
}

function shownCheck(check: RecordedCheck, checkedAt: string, when: StatusCheck['when']): StatusCheck {
  const { service, site, target, ok, detail } = check;
  return { service, site, target, ok, detail, side: sideOf(site), checkedAt, current: when === 'now', when };
}

/** The probe's site, as the side it was made from: the host and the bridge gateway are dialled from this machine. */
export function sideOf(site: ProbeSite): CheckSide {
  return site === 'container' ? 'container' : 'this-machine';
}

// ---- its lines -------------------------------------------------------------------------------

export function renderStatus(status: RunnerStatus, now: number): string {
  const lines = [headerLine(status)];
  if (!status.containers) lines.push(`  container: seen only by ${status.host}'s worker — not checked from here`);
  else if (status.containers.length === 0) lines.push('  container: none — from this machine (the engine), now');
  for (const container of status.containers ?? [])
    lines.push(
      `  container: ${container.name} ${shortId(container.id)} ${container.state} (${container.status}), network ${container.networkMode}, image ${container.image} — from this machine (the engine), now`,
    );
  if (status.poll) lines.push(pollLine(status.poll, now));
  const [current, past] = [status.checks.filter((check) => check.current), status.checks.filter((c) => !c.current)];
  lines.push(...current.map((check) => checkLine(check, now)));
  const last = status.lastProvision;
  if (!last) return [...lines, '  last provision: none'].join('\n');
  lines.push(`  last provision: ${last.workflowId} ${last.status} (started ${isoSeconds(last.startTime)})`);
  const plan = last.progress?.plan;
  if (plan)
    lines.push(
      `  plan: ${plan.engine.description}: network ${plan.mode}${plan.hostAlias ? ` via ${plan.hostAlias}` : ''}`,
      ...plan.services.map((service) => `    ${service.service.padEnd(8)} ${service.container.resolved}`),
    );
  if (past.length > 0) lines.push("  history (the last provision's checks, not rechecked now):");
  lines.push(...past.map((check) => `  ${checkLine(check, now)}`));
  if (last.progress?.error) lines.push(`  error: ${last.progress.error.message}`);
  return lines.join('\n');
}

function headerLine(status: RunnerStatus): string {
  const where = `${status.runner}${status.containers ? '' : ` on ${status.host}`}`;
  const verdict = status.healthy ? 'healthy' : `not healthy (${status.problems.map(problemText).join('; ')})`;
  return `runner ${where}: ${verdict} — checked ${isoSeconds(status.checkedAt)} from this machine`;
}

/** Side and time, in the words every check line ends its subject with. */
export function whenAndWhere(check: Pick<StatusCheck, 'side' | 'when' | 'checkedAt'>, now: number): string {
  const side = check.side === 'container' ? 'container' : 'this machine';
  if (check.when === 'now') return `from ${side}, now`;
  return `from ${side}, at provision ${ago(now - Date.parse(check.checkedAt))} (${isoSeconds(check.checkedAt)})`;
}

function checkLine(check: StatusCheck, now: number): string {
  return `  ${check.ok ? '✓' : '✗'} ${check.service} ${whenAndWhere(check, now)}: ${check.target} — ${check.detail}`;
}

function pollLine(poll: PollShown, now: number): string {
  const subject = `runner polls ${poll.taskQueue} (Temporal's pollers) from this machine, now`;
  if (poll.error) return `  ✗ ${subject}: could not list them — ${poll.error}`;
  const seen = poll.lastAccessTime
    ? `${poll.identity ?? 'its poller'} polled ${ago(poll.ageMs ?? now - Date.parse(poll.lastAccessTime))}`
    : `no poll by ${poll.identity ?? 'its poller'} seen`;
  if (poll.ok) return `  ✓ ${subject}: ${seen}`;
  return `  ✗ ${subject}: not within the last ${LIVE_POLLER_WINDOW_MS / 1000} s (${seen})`;
}

/** `12 s ago`, `12 min ago`, `3 h ago`, `2 d ago`: the reader's scale, the ISO time beside it where it matters. */
export function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

function problemText(problem: HealthProblem): string {
  switch (problem.kind) {
    case 'other-host':
      return `on ${problem.host}: only its worker sees its engine, so nothing was checked from here`;
    case 'no-container':
      return 'no container';
    case 'several-containers':
      return `${problem.ids.length} containers carry the runner's name or label (${problem.ids.map(shortId).join(', ')})`;
    case 'container-not-running':
      return `container ${shortId(problem.id)} is ${problem.state}`;
    case 'no-plan':
      return 'no provision recorded a plan to check against: run `stigmer-runner run`';
    case 'not-polling':
      return `it does not poll ${problem.taskQueue} (no poll as …@${problem.hostname} within ${LIVE_POLLER_WINDOW_MS / 1000} s)`;
    case 'service-failing':
      return `${problem.check.service} does not answer from this machine${problem.check.site === 'bridge-gateway' ? ' at the bridge gateway' : ''}: ${problem.check.detail}`;
    case 'unchecked':
      return `could not check ${problem.what === 'poll' ? 'its poll' : 'the services'}: ${problem.error}`;
  }
}
