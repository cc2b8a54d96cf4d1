/** What the stand-in runner reports: JSON lines on its log (test/runner-image/agent-runner.js). */
import type Dockerode from 'dockerode';
import { demuxLogs } from '../../src/docker/logs';

export type RunnerEvent = { event: string; [key: string]: unknown };

/** Both streams of a non-TTY container's log, parsed as JSON lines where they are JSON. */
export async function runnerEvents(container: Dockerode.Container): Promise<{ raw: string; events: RunnerEvent[] }> {
  const raw = demuxLogs((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
  const parsed = raw.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as RunnerEvent];
    } catch {
      return [];
    }
  });
  return { raw, events: parsed };
}

/** The runner's events once `done` holds of them; the log so far in the error when it never does. */
export async function waitForRunnerEvents(
  container: Dockerode.Container,
  done: (events: RunnerEvent[]) => boolean,
  timeoutMs = 20_000,
): Promise<RunnerEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { raw, events } = await runnerEvents(container);
    if (done(events)) return events;
    if (Date.now() > deadline) throw new Error(`timed out waiting for runner events; log so far:\n${raw}`);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the poll interval of a condition
  }
}
