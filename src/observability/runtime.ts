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

/** The runtime is process-wide and installs once: a second session in the same process reuses it. */
let installed: ReturnType<typeof lineLogger> | undefined;

export function installRuntime({ level, json, write, metrics }: RuntimeOptions) {
  if (installed) return installed;
  const logger = lineLogger({ level, json, write });
  installed = logger;
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { filter: { core: level, other: 'ERROR' }, forward: {} },
      ...(metrics ? { metrics: { prometheus: { bindAddress: metrics } } } : {}),
    },
  });
  return logger;
}
