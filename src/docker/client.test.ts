import { dockerodeOptions } from './client';

describe('dockerodeOptions', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.2:2375', { protocol: 'http', host: '10.0.0.2', port: 2375 }],
    ['ssh://me@box', { protocol: 'ssh', host: 'box', port: 22, username: 'me' }],
  ])('%s', (url, expected) => {
    expect(dockerodeOptions({ url, source: 'test' }, {})).toEqual(expected);
  });
});
