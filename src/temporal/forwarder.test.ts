import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownAddresses, peerAllowed, startForwarder } from './forwarder';

describe('the bridge forwarder lets in only the bridge and this machine (issue 23)', () => {
  const own = () => ['127.0.0.0/8', '192.168.1.20'];
  it.each<[string | undefined, string[], boolean]>([
    ['172.17.0.2', ['172.17.0.0/16'], true],
    ['::ffff:172.17.0.2', ['172.17.0.0/16'], true],
    ['10.88.0.7', ['172.17.0.0/16', '10.88.0.0/16'], true],
    ['192.168.1.20', ['172.17.0.0/16'], true], // this machine's own LAN address
    ['127.0.0.1', [], true],
    ['192.168.1.33', ['172.17.0.0/16'], false], // another machine on the LAN
    ['172.18.0.2', ['172.17.0.0/16'], false], // another Docker network
    ['8.8.8.8', [], false],
    [undefined, ['172.17.0.0/16'], false],
  ])('%s with bridge %j: %s', (peer, subnets, allowed) => expect(peerAllowed(peer, subnets, own)).toBe(allowed));

  it("this machine's own addresses include loopback and its interfaces", () => {
    expect(ownAddresses()).toEqual(expect.arrayContaining(['127.0.0.0/8', '::1/128', '127.0.0.1']));
  });

  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));
  const listening = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const exchange = (port: number) =>
    new Promise<string>((resolve) => {
      let got = '';
      const socket = connect({ host: '127.0.0.1', port }, () => socket.write('ping'));
      socket.on('data', (chunk) => ((got += chunk.toString()), socket.end()));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
    });

  it.each([
    ['a peer on an allowed subnet is forwarded', ['127.0.0.0/8'], 'pong'],
    ['a peer elsewhere is refused, and its address logged', ['10.0.0.0/8'], ''],
  ])('%s', async (_, allowedSubnets, answer) => {
    const targetPort = await listening(createServer((socket) => socket.once('data', () => socket.end('pong'))));
    const logFile = join(mkdtempSync(join(tmpdir(), 'forwarder-')), 'forwarder.log');
    const forwarding = {
      listenHost: '127.0.0.1',
      listenPort: 0,
      targetHost: '127.0.0.1',
      targetPort,
      allowedSubnets,
      logFile,
    };
    const forwarder = await startForwarder(forwarding, () => []); // as if loopback were another machine
    servers.push(forwarder);
    expect(await exchange((forwarder.address() as AddressInfo).port)).toBe(answer);
    if (answer) return;
    expect(readFileSync(logFile, 'utf8')).toMatch(/refused a connection from 127\.0\.0\.1 to 127\.0\.0\.1:0/);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });
});
