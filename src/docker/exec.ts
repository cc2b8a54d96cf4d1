/**
 * Runs a command inside a running container and returns its exit code and output: dockerode's
 * exec → start (hijacked) → demux → wait for the stream to end → inspect until not Running.
 */
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { waitUntil, withTimeout } from '../core/wait';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function execInContainer(
  container: Dockerode.Container,
  cmd: string[],
  timeoutMs: number,
  /** Another user than the container's (`0` to act as root inside it). */
  user?: string,
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    ...(user ? { User: user } : {}),
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  container.modem.demuxStream(stream, stdout, stderr);

  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const command = `exec ${JSON.stringify(cmd[0])} in the container`;
  try {
    await withTimeout(ended, timeoutMs, `${command} to finish`);
  } finally {
    stream.destroy();
  }

  // The stream can end a moment before the engine records the exit code.
  const state = await waitUntil(
    async () => {
      const inspected = await exec.inspect();
      return inspected.Running ? undefined : inspected;
    },
    { intervalMs: 20, timeoutMs: 1000, what: `${command} to record its exit code after its output ended` },
  );
  return {
    exitCode: state.ExitCode ?? -1,
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  };
}
