/**
 * Runs a command inside a running container and returns its exit code and output: dockerode's
 * exec → start (hijacked) → demux → wait for the stream to end → inspect until not Running.
 */
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function execInContainer(container: Dockerode.Container, cmd: string[], timeoutMs: number): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  container.modem.demuxStream(stream, stdout, stderr);

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`exec ${JSON.stringify(cmd[0])} in container did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }

  // The stream can end a moment before the engine records the exit code.
  for (let poll = 0; ; poll++) {
    const state = await exec.inspect();
    if (!state.Running) {
      return { exitCode: state.ExitCode ?? -1, stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
    }
    if (poll >= 50) throw new Error(`exec ${JSON.stringify(cmd[0])} still running after its output ended`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
