import { createHash } from 'node:crypto';
import { findDockerEndpoint, type FileLookup } from './endpoint';

const HOME = '/home/u';

function files(entries: Record<string, string>, sockets: string[] = ['/var/run/docker.sock']): FileLookup {
  return { readText: (path) => entries[path], exists: (path) => path in entries || sockets.includes(path) };
}

const metaPath = (context: string) =>
  `${HOME}/.docker/contexts/meta/${createHash('sha256').update(context).digest('hex')}/meta.json`;
const meta = (host: string) =>
  JSON.stringify({ Name: 'x', Endpoints: { docker: { Host: host, SkipTLSVerify: false } } });

describe('findDockerEndpoint', () => {
  it.each<[string, NodeJS.ProcessEnv, Record<string, string>, string[], string, string]>([
    [
      'DOCKER_HOST wins over everything',
      { DOCKER_HOST: 'tcp://10.0.0.2:2375', DOCKER_CONTEXT: 'colima' },
      {},
      [],
      'tcp://10.0.0.2:2375',
      'env:DOCKER_HOST',
    ],
    [
      'DOCKER_CONTEXT names a context',
      { DOCKER_CONTEXT: 'colima' },
      { [metaPath('colima')]: meta('unix:///Users/u/.colima/default/docker.sock') },
      [],
      'unix:///Users/u/.colima/default/docker.sock',
      'context:colima',
    ],
    [
      'config.json currentContext',
      {},
      {
        [`${HOME}/.docker/config.json`]: '{"currentContext":"orbstack"}',
        [metaPath('orbstack')]: meta('unix:///Users/u/.orbstack/run/docker.sock'),
      },
      [],
      'unix:///Users/u/.orbstack/run/docker.sock',
      'context:orbstack',
    ],
    [
      'the default context means the default socket',
      {},
      { [`${HOME}/.docker/config.json`]: '{"currentContext":"default"}' },
      ['/var/run/docker.sock'],
      'unix:///var/run/docker.sock',
      'default',
    ],
    [
      'Docker Desktop’s per-user socket when the system one is absent',
      {},
      {},
      [`${HOME}/.docker/run/docker.sock`],
      `unix://${HOME}/.docker/run/docker.sock`,
      'default',
    ],
    [
      'an unreadable config.json is ignored',
      {},
      { [`${HOME}/.docker/config.json`]: '{not json' },
      ['/var/run/docker.sock'],
      'unix:///var/run/docker.sock',
      'default',
    ],
  ])('%s', (_name, env, entries, sockets, url, source) => {
    expect(findDockerEndpoint(env, HOME, files(entries, sockets), 'linux')).toEqual({ url, source });
  });

  it('names the context and the file when a context has no endpoint', () => {
    expect(() => findDockerEndpoint({ DOCKER_CONTEXT: 'gone' }, HOME, files({}), 'linux')).toThrow(
      /docker context "gone" \(env:DOCKER_CONTEXT\) has no docker endpoint in .*meta\.json/,
    );
  });

  it('uses the named pipe on Windows', () => {
    expect(findDockerEndpoint({}, HOME, files({}), 'win32').url).toBe('npipe:////./pipe/docker_engine');
  });
});
