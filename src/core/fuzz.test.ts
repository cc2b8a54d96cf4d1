/**
 * Property tests: whatever text arrives — env values, config files, addresses — the resolver and the
 * cascade either answer or throw their own typed error, never anything else.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { AddressError, classifyHost, parseAddress, rewriteLocalHost } from './address';
import { resolveConfig, SETTING_ENV_NAMES } from './settings/cascade';
import { ConfigError } from './settings/errors';

const RUNS = 2000;

function onlyThrows<T>(errorType: new (...args: never[]) => Error, body: () => T): void {
  try {
    body();
  } catch (error) {
    if (!(error instanceof errorType)) throw error;
  }
}

const hostish = fc.oneof(
  fc.constantFrom(
    'localhost',
    'LocalHost',
    'localhost.',
    '127.0.0.1',
    '127.9.8.7',
    '0.0.0.0',
    '::1',
    '[::1]',
    '[::]',
    '::ffff:127.0.0.1',
    'mylocalhost.example.com',
    'localhost.example.com',
    'host.docker.internal',
    '10.0.0.1',
  ),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
);
const addressish = fc
  .tuple(
    fc.constantFrom('', 'http://', 'https://', 'grpc://', 'HTTP://'),
    hostish,
    fc.option(fc.integer({ min: 0, max: 70000 })),
    fc.constantFrom('', '/', '/v1', '/api?x=1#y'),
  )
  .map(([scheme, host, port, rest]) => `${scheme}${host}${port === null ? '' : `:${port}`}${rest}`);

test('the address resolver throws nothing but AddressError, for any text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), addressish), (text) =>
      onlyThrows(AddressError, () => rewriteLocalHost(text, 'host.docker.internal', 'fuzz')),
    ),
    { numRuns: RUNS },
  );
});

test('rewriting replaces exactly the local hosts and keeps scheme, port and path', () => {
  fc.assert(
    fc.property(addressish, (text) => {
      let parsed;
      try {
        parsed = parseAddress(text);
      } catch {
        return; // invalid input is the other property's business
      }
      const result = rewriteLocalHost(text, 'host.docker.internal', 'fuzz');
      const local = classifyHost(parsed.host) !== 'other';
      expect(result.rewritten).toBe(local && parsed.host !== 'host.docker.internal');
      if (!result.rewritten) expect(result.resolved).toBe(text);
      const after = parseAddress(result.resolved);
      expect({ scheme: after.scheme, port: after.port, rest: after.rest }).toEqual({
        scheme: parsed.scheme,
        port: parsed.port,
        rest: parsed.rest,
      });
      expect(after.host).toBe(result.rewritten ? 'host.docker.internal' : parsed.host);
    }),
    { numRuns: RUNS },
  );
});

const yamlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('backend', 'local', 'llm', 'model', 'temporal', 'runner', 'network', 'type', 'x'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

test('the config cascade throws nothing but ConfigError, for any env values and any config file text', () => {
  const env = fc.dictionary(
    fc.constantFrom(...SETTING_ENV_NAMES.filter((name) => name !== 'STIGMER_CONFIG'), 'ANTHROPIC_API_KEY'),
    fc.oneof(fc.string(), addressish),
    { maxKeys: 6 },
  );
  const fileText = fc.option(
    fc.oneof(
      fc.string(),
      yamlValue.map((value) => stringify(value)),
    ),
    { nil: undefined },
  );
  fc.assert(
    fc.property(env, fileText, (environment, text) =>
      onlyThrows(ConfigError, () => resolveConfig({ env: environment, flags: {}, homeDir: '/home/u', fileText: text })),
    ),
    { numRuns: RUNS },
  );
});
