import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HEALTH_PROTO, startBackendStandIn, type BackendStandIn } from './backend-standin';

type HealthClient = grpc.Client & {
  Check(
    req: { service: string },
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: { status: string }) => void,
  ): void;
};
const { Health } = (
  grpc.loadPackageDefinition(loadSync(HEALTH_PROTO, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials) => HealthClient } } };
  }
).grpc.health.v1;

async function check(endpoint: string, service: string): Promise<string> {
  const client = new Health(endpoint, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.Check({ service }, { deadline: Date.now() + 3000 }, (err, res) =>
        err ? reject(err) : resolve(res!.status),
      ),
    );
  } finally {
    client.close();
  }
}

describe('Stigmer backend stand-in', () => {
  let backend: BackendStandIn;
  beforeAll(async () => {
    backend = await startBackendStandIn({ services: ['ai.stigmer.backend'] });
  });
  afterAll(() => backend.close());

  it('binds a free loopback port by default', () => {
    expect(backend.host).toBe('127.0.0.1');
    expect(backend.port).toBeGreaterThan(0);
    expect(backend.endpoint).toBe(`127.0.0.1:${backend.port}`);
  });

  it('reports SERVING for the server and for registered services', async () => {
    await expect(check(backend.endpoint, '')).resolves.toBe('SERVING');
    await expect(check(backend.endpoint, 'ai.stigmer.backend')).resolves.toBe('SERVING');
  });

  it('answers NOT_FOUND for unknown services, as the real health service does', async () => {
    await expect(check(backend.endpoint, 'no.such.Service')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'unknown service',
    });
  });
});

describe('Stigmer backend stand-in lifecycle', () => {
  it('serves on IPv6 ::1 and stops answering after close', async () => {
    const backend = await startBackendStandIn({ host: '::1' });
    expect(backend.endpoint).toBe(`[::1]:${backend.port}`);
    await expect(check(backend.endpoint, '')).resolves.toBe('SERVING');
    await backend.close();
    await expect(check(backend.endpoint, '')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('binds a requested port', async () => {
    const probe = await startBackendStandIn();
    await probe.close();
    const backend = await startBackendStandIn({ port: probe.port });
    try {
      expect(backend.port).toBe(probe.port);
      await expect(check(backend.endpoint, '')).resolves.toBe('SERVING');
    } finally {
      await backend.close();
    }
  });
});
