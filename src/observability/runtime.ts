/**
 * The one place the Temporal runtime is installed: the SDK's logger and the native core's log lines go
 * through `logger` (core's own default would print to stdout, into `run --json`), and Prometheus
 * metrics are served when asked for.
 */
import type { LogLevel } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { lineLogger } from './logger';

export interface RuntimeOptions {
  level: LogLevel;
  json: boolean;
  write: (line: string) => void;
  /** host:port for Prometheus' /metrics. */
  metrics?: string;
}

export function installRuntime({ level, json, write, metrics }: RuntimeOptions) {
  const logger = lineLogger({ level, json, write });
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { filter: { core: level, other: 'ERROR' }, forward: {} },
      ...(metrics ? { metrics: { prometheus: { bindAddress: metrics } } } : {}),
    },
  });
  return logger;
}
