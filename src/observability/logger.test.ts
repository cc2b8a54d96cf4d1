import { lineLogger } from './logger';

test('JSON lines carry level, message and fields; levels below the threshold are dropped', () => {
  const lines: string[] = [];
  const logger = lineLogger({ level: 'INFO', json: true, write: (line) => lines.push(line) });
  logger.debug('hidden');
  logger.info('network planned', {
    mode: 'bridge',
    engine: 'Docker Desktop',
    addresses: { temporal: 'host.docker.internal:7233' },
  });
  logger.warn('failed', { error: new Error('boom') });
  expect(lines).toHaveLength(2);
  expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
  expect(JSON.parse(lines[0])).toMatchObject({
    level: 'info',
    message: 'network planned',
    mode: 'bridge',
    engine: 'Docker Desktop',
    addresses: { temporal: 'host.docker.internal:7233' },
  });
  expect(JSON.parse(lines[1])).toMatchObject({ level: 'warn', error: 'Error: boom' });
});

test('on a terminal, one readable line', () => {
  const lines: string[] = [];
  lineLogger({ level: 'INFO', json: false, write: (line) => lines.push(line) }).info('runner polling', {
    poller: '1@vm',
  });
  expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  runner polling \{"poller":"1@vm"\}\n$/);
});
