import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/temporal/dev-server';

export const HEALTH_PROTO = join(projectRoot(), 'test', 'support', 'health.proto');

export interface BackendStandIn {
  host: string;
  port: number;
  /** host:port, with IPv6 hosts in brackets; what STIGMER_BACKEND_ENDPOINT carries. */
  endpoint: string;
  close(): Promise<void>;
}

export interface BackendStandInOptions {
  host?: string;
  port?: number;
  /** Service names reported SERVING besides the server-wide '' entry. */
  services?: string[];
}

interface HealthServiceDefinition {
  grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } };
}

/** A real gRPC server answering grpc.health.v1.Health/Check the way grpc-go's health server does. */
export async function startBackendStandIn(opts: BackendStandInOptions = {}): Promise<BackendStandIn> {
  const host = opts.host ?? '127.0.0.1';
  const serving = new Set(['', ...(opts.services ?? [])]);
  const proto = grpc.loadPackageDefinition(
    loadSync(HEALTH_PROTO, { enums: String }),
  ) as unknown as HealthServiceDefinition;

  const server = new grpc.Server();
  server.addService(proto.grpc.health.v1.Health.service, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (serving.has(call.request.service)) callback(null, { status: 'SERVING' });
      else callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
    },
  });

  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${urlHost}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    host,
    port,
    endpoint: `${urlHost}:${port}`,
    close: async () => {
      server.forceShutdown();
    },
  };
}
