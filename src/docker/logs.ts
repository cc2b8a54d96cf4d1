/** A container's recent log as text (both streams), for failure messages and tests. */
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
