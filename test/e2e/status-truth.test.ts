/**
 * `status` tells the truth now (issue 24): after a ready provision whose Ollama then stops, `status`
 * checks from this machine, exits 8 (`unhealthy`) naming Ollama with a fresh time, and shows the
 * provision's in-container checks only as history; Ollama back, exit 0. `logs` prints the stand-in
 * runner's output, and `logs --follow` streams what it writes after the command started, ending when
 * the container stops.
 */
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/core/contract/names';
import { projectRoot } from '../../src/temporal/dev-server';
import { useE2E } from '../support/e2e-harness';
import { startOllamaStandIn, type OllamaStandIn } from '../support/ollama-standin';
import { childEnv, spawnNode } from '../support/process';
import { recordTiming } from '../support/timings';

jest.setTimeout(300_000);

const e2e = useE2E();
const CLI = join(projectRoot(), 'bin', 'stigmer-runner.js');

interface ShownCheck {
  service: string;
  site: string;
  side: string;
  ok: boolean;
  current: boolean;
  when: string;
  checkedAt: string;
  detail: string;
}

interface Status {
  healthy: boolean;
  checkedAt: string;
  problems: Array<{ kind: string }>;
  checks: ShownCheck[];
  poll?: { ok: boolean; side: string; checkedAt: string };
  containers: Array<{ state: string; side: string; checkedAt: string }>;
}

test('status checks now from this machine: Ollama stopped → exit 8 naming it, the provision’s checks only as past; back → 0', async () => {
  const runner = `truth-${process.pid}`;
  let ollama: OllamaStandIn | undefined = await startOllamaStandIn({ host: '127.0.0.1' });
  const port = ollama.port;
  e2e.cleanup(() => ollama?.close() ?? Promise.resolve());
  const { backend } = await e2e.services('127.0.0.1', 'down');
  const env = e2e.scenarioEnv(runner, { backend, ollama, ollamaUrl: `http://localhost:${port}` });

  const run = await e2e.cli(['run', '--json'], env);
  expect({ code: run.code, status: run.json?.status }).toEqual({ code: 0, status: 'ready' });
  const provisioned = Date.now();

  const up = await e2e.cli(['status', '--json'], env);
  const upShown = JSON.parse(up.stdout) as Status;
  expect({ code: up.code, healthy: upShown.healthy, problems: upShown.problems }).toEqual({
    code: 0,
    healthy: true,
    problems: [],
  });
  expect(upShown.poll).toMatchObject({ ok: true, side: 'this-machine' });
  recordTiming('status, healthy (engine, poll and services checked now)', up.ms);

  await ollama.close();
  ollama = undefined;
  const before = Date.now();
  const down = await e2e.cli(['status', '--json'], env);
  expect(down.code).toBe(EXIT_CODES.unhealthy);
  recordTiming('status, Ollama stopped (exit 8)', down.ms);
  const shown = JSON.parse(down.stdout) as Status;
  expect(shown.healthy).toBe(false);
  expect(shown.problems).toEqual([expect.objectContaining({ kind: 'service-failing' })]);
  const current = shown.checks.filter((check) => check.current);
  const ollamaNow = current.find((check) => check.service === 'ollama');
  expect(ollamaNow).toMatchObject({ side: 'this-machine', ok: false, when: 'now' });
  expect(ollamaNow?.detail).toMatch(/ECONNREFUSED/);
  // A fresh timestamp: taken by this command, after Ollama stopped.
  expect(Date.parse(ollamaNow?.checkedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  // The provision's check from inside the container said Ollama answered: kept, but only as the past.
  const ollamaThen = shown.checks.find((check) => check.service === 'ollama' && check.site === 'container');
  expect(ollamaThen).toMatchObject({ side: 'container', ok: true, current: false, when: 'at-provision' });
  expect(Date.parse(ollamaThen?.checkedAt ?? '')).toBeLessThanOrEqual(provisioned);
  expect(current.every((check) => check.side === 'this-machine')).toBe(true);

  const text = await e2e.cli(['status'], env);
  expect(text.code).toBe(EXIT_CODES.unhealthy);
  const lines = text.stdout.split('\n');
  expect(lines[0]).toMatch(
    new RegExp(`^runner ${runner}: not healthy \\(ollama does not answer from this machine: ECONNREFUSED`),
  );
  const history = lines.findIndex((line) => line.startsWith('  history ('));
  expect(history).toBeGreaterThan(0);
  const ollamaLines = lines.filter((line) => / ollama from /.test(line));
  expect(ollamaLines.filter((line) => /, now: /.test(line))).toEqual([
    expect.stringMatching(
      new RegExp(`^  ✗ ollama from this machine, now: http://localhost:${port}/api/tags — ECONNREFUSED`),
    ),
  ]);
  // Every line that says "from container" is below the history heading, with the time it was checked.
  for (const [index, line] of lines.entries())
    if (/ from container/.test(line)) {
      expect(index).toBeGreaterThan(history);
      expect(line).toMatch(/ from container, at provision \d+ (s|min) ago \(\S+Z\): /);
    }
  expect(lines).toContainEqual(
    expect.stringMatching(/^ {4}✓ ollama from container, at provision .* HTTP 200, model \S+ listed$/),
  );

  ollama = await startOllamaStandIn({ host: '127.0.0.1', port });
  const back = await e2e.cli(['status'], env);
  expect({ code: back.code, first: back.stdout.split('\n')[0] }).toEqual({
    code: 0,
    first: expect.stringMatching(new RegExp(`^runner ${runner}: healthy — checked \\S+Z from this machine$`)),
  });
  expect(back.stdout).toMatch(
    new RegExp(`^  ✓ ollama from this machine, now: http://localhost:${port}/api/tags — HTTP 200`, 'm'),
  );
});

test('logs prints the runner’s output; --follow streams what it writes later and ends when it stops; none: exit 8 naming the runner', async () => {
  const runner = `truth-logs-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  expect((await e2e.cli(['run'], env)).code).toBe(0);

  const logs = await e2e.cli(['logs'], env);
  expect(logs.code).toBe(0);
  expect(logs.stdout).toMatch(/^\{"event":"runner\.polling",.*"taskQueue":"agent_execution_runner"/m);
  const tail = await e2e.cli(['logs', '--tail', '1'], env);
  // One line — on stdout or stderr, as the runner wrote it — out of a longer log (an empty output would be
  // one empty "line").
  const [line, ...more] = (tail.stdout + tail.stderr).trim().split('\n');
  expect({ line, more }).toEqual({ line: expect.stringMatching(/\S/), more: [] });
  const whole = await e2e.cli(['logs'], env);
  expect((whole.stdout + whole.stderr).trim().split('\n').length).toBeGreaterThan(1);
  expect(whole.stdout + whole.stderr).toContain(line);

  // Ctrl-C ends a follow, exit 0, and leaves the runner running.
  const interrupted = spawnNode([CLI, 'logs', '--follow'], { env: childEnv(e2e.home, e2e.engine.env, env) });
  e2e.cleanup(() => interrupted.kill('SIGKILL'));
  await interrupted.waitForLine(/"event":"runner\.polling"/, 30_000);
  await interrupted.kill('SIGINT');
  expect(interrupted.child.exitCode).toBe(0);
  expect((await e2e.runnerContainers(runner)).map((info) => info.State)).toEqual(['running']);

  const follow = spawnNode([CLI, 'logs', '--follow'], { env: childEnv(e2e.home, e2e.engine.env, env) });
  e2e.cleanup(() => follow.kill('SIGKILL'));
  await follow.waitForLine(/"event":"runner\.polling"/, 30_000);
  expect(follow.output()).not.toContain('runner.signal');
  // The runner writes `runner.signal` only once it is stopped — after `logs --follow` started.
  const [container] = await e2e.runnerContainers(runner);
  const stopping = e2e.docker.getContainer(container.Id).stop({ t: 5 });
  await follow.waitForLine(/"event":"runner\.signal","signal":"SIGTERM"/, 30_000);
  await stopping;
  // …and the stream ends with the container: the command exits by itself, 0.
  const exited = await new Promise<number | null>((resolve) => {
    if (follow.child.exitCode !== null) resolve(follow.child.exitCode);
    else follow.child.once('exit', (code) => resolve(code));
  });
  expect(exited).toBe(0);

  const stopped = await e2e.cli(['status', '--json'], env);
  expect(stopped.code).toBe(EXIT_CODES.unhealthy);
  expect(JSON.parse(stopped.stdout).problems).toEqual([
    { kind: 'container-not-running', id: container.Id, state: 'exited' },
  ]);

  const none = await e2e.cli(['logs', '--runner', `${runner}-none`], env);
  expect(none.code).toBe(EXIT_CODES.unhealthy);
  expect(none.stderr).toMatch(
    new RegExp(`^stigmer-runner: runner ${runner}-none has no container made by stigmer-runner`),
  );
});
