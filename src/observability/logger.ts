/**
 * The worker's log: one JSON object per line when stdout is not a terminal (for collectors), a short
 * readable line when it is. Activities log what they configure — resolved addresses, network mode,
 * engine — through the Temporal runtime, which routes here with the workflow's ids attached.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

export interface LineLoggerOptions {
  level: LogLevel;
  json: boolean;
  write?: (line: string) => void;
}

export function lineLogger({ level, json, write = (line) => process.stdout.write(line) }: LineLoggerOptions): Logger {
  const log = (at: LogLevel, message: string, meta: LogMetadata = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const fields = Object.fromEntries(Object.entries(meta).filter(([key]) => typeof key === 'string'));
    if (json) {
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: at.toLowerCase(), message, ...fields }, errorsAsText)}\n`,
      );
    } else {
      const context = Object.keys(fields).length ? ` ${JSON.stringify(fields, errorsAsText)}` : '';
      write(`${new Date().toISOString()} ${at.padEnd(5)} ${message}${context}\n`);
    }
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
