/** A container's log: its recent tail as text (failure messages, tests), and streamed to the terminal (`stigmer-runner logs`). */
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';

export async function logTail(container: Dockerode.Container, lines: number): Promise<string> {
  const buffer = (await container.logs({
    stdout: true,
    stderr: true,
    tail: lines,
    follow: false,
  })) as unknown as Buffer;
  return demuxLogs(buffer);
}

/** Docker multiplexes a non-TTY container's log in frames with an 8-byte header (stream, 0, 0, 0, length). */
export function demuxLogs(buffer: Buffer): string {
  const parts: string[] = [];
  for (let offset = 0; offset + 8 <= buffer.length; offset += 8 + buffer.readUInt32BE(offset + 4)) {
    parts.push(buffer.subarray(offset + 8, offset + 8 + buffer.readUInt32BE(offset + 4)).toString('utf8'));
  }
  return parts.join('');
}

export interface LogStreamOptions {
  /** Keep streaming what the container writes until it stops (or `signal` aborts). */
  follow: boolean;
  /** Only the last N lines of what is already logged (default: all). */
  tail?: number;
  /** Ends a followed stream early (SIGINT): resolves as if the container had stopped. */
  signal?: AbortSignal;
}

/**
 * A container's log written to `out`, each stream to its own side (`docker logs`): demultiplexed with
 * docker-modem's demuxStream when the container has no TTY (a TTY's log is one raw stream). Resolves
 * when the engine ends the stream — at once without `follow`; with it, when the container stops.
 */
export async function streamLogs(
  container: Dockerode.Container,
  { follow, tail, signal }: LogStreamOptions,
  out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<void> {
  const { Config } = await container.inspect();
  const options = { stdout: true, stderr: true, timestamps: false, ...(tail !== undefined && { tail }) };
  // dockerode hands back a stream when following, the whole log as a Buffer otherwise.
  const stream = follow
    ? await container.logs({ ...options, follow: true })
    : Readable.from([(await container.logs({ ...options, follow: false })) as unknown as Buffer]);
  if (Config.Tty) stream.pipe(out.stdout as NodeJS.WritableStream, { end: false });
  else container.modem.demuxStream(stream, out.stdout, out.stderr);
  await new Promise<void>((resolve, reject) => {
    const stop = () => (stream as Readable).destroy();
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', (error: Error) => (signal?.aborted ? resolve() : reject(error)));
  });
}
