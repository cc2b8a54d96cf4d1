/** The edge on real files: envconfig finds temporal.toml where we say it does, and unreadable PEMs are named by their setting. */
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemporalProfile, readPemFiles } from './temporal-profile';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'stigmer-temporal-profile-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

test.each([
  [
    'XDG_CONFIG_HOME',
    (root: string) => ({ XDG_CONFIG_HOME: join(root, 'xdg'), HOME: join(root, 'home') }),
    (root: string) => join(root, 'xdg'),
  ],
  ['HOME/.config', (root: string) => ({ HOME: join(root, 'home') }), (root: string) => join(root, 'home', '.config')],
])('the default temporal.toml under %s is the one envconfig reads', async (_name, envOf, configDir) => {
  const root = await mkdtemp(join(dir, 'case-'));
  await mkdir(join(configDir(root), 'temporalio'), { recursive: true });
  await writeFile(
    join(configDir(root), 'temporalio', 'temporal.toml'),
    '[profile.default]\naddress = "found.example:7233"\n',
  );
  const env = envOf(root);
  expect(loadClientConfigProfile({ overrideEnvVars: env }).address).toBe('found.example:7233');
  const ours = loadTemporalProfile(env, env.HOME, 'linux');
  expect(ours.file).toMatchObject({
    path: join(configDir(root), 'temporalio', 'temporal.toml'),
    found: true,
    layer: { address: 'found.example:7233' },
  });
});

test('a PEM path that cannot be read is named by the setting that gave it', () => {
  const missing = join(dir, 'nope.pem');
  const { issues } = readPemFiles({ serverCa: { source: 'env:TEMPORAL_TLS_SERVER_CA_CERT_PATH', path: missing } });
  expect(issues).toEqual([
    { source: 'env:TEMPORAL_TLS_SERVER_CA_CERT_PATH', message: `names ${missing}, which does not exist` },
  ]);
});
