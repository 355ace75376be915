import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { brokerLogging, createLogger } from './broker-logger';
import { lenientLogSettings } from './log-settings';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('the broker logger', () => {
  it('writes JSON lines with the level named, the time in ISO 8601 and the context', () => {
    const out = capture();
    const log = createLogger({ level: 'info', format: 'json' }, out.stream);
    log.child({ context: 'Listeners' }).info('listening on mqtt://127.0.0.1:1883');
    log.debug('not at info');
    const [line, ...rest] = out.lines();
    assert.equal(rest.length, 0);
    const record = JSON.parse(line) as Record<string, unknown>;
    assert.equal(record.level, 'info');
    assert.equal(record.context, 'Listeners');
    assert.equal(record.msg, 'listening on mqtt://127.0.0.1:1883');
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('never writes a request\'s credentials, in either format', () => {
    for (const format of ['json', 'pretty'] as const) {
      const out = capture();
      const log = createLogger({ level: 'debug', format }, out.stream);
      const req = { method: 'GET', url: '/api/v1/status', headers: { authorization: 'Bearer nmq_secret-key', cookie: 'sid=secret-cookie', host: 'x' } };
      log.debug({ req, res: { statusCode: 200, headers: { 'set-cookie': 'sid=secret-cookie' } }, responseTime: 3 }, 'request completed');
      const text = out.lines().join('\n');
      assert.doesNotMatch(text, /secret/, format);
      if (format === 'json') assert.match(text, /"authorization":"\[redacted\]"/);
      else assert.match(text, /DEBUG: GET \/api\/v1\/status 200 3ms/);
    }
  });

  it('writes readable lines when pretty: time, level, [context] message', () => {
    const out = capture();
    createLogger({ level: 'info', format: 'pretty' }, out.stream).child({ context: 'Users' }).warn('created admin user "admin"');
    assert.match(out.lines()[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[Users\] created admin user "admin"$/);
  });

  it('reports a configuration error in the format asked for when that itself is valid', () => {
    assert.deepEqual(lenientLogSettings({ LOG_FORMAT: 'json', LOG_LEVEL: 'loud' }), { format: 'json', level: 'info' });
    assert.deepEqual(lenientLogSettings({ LOG_FORMAT: 'xml', LOG_LEVEL: 'WARN' }), { format: 'pretty', level: 'warn' });
  });

  it('is one log stream per process, refusing other settings rather than ignoring them', () => {
    const first = brokerLogging({ level: 'error', format: 'pretty' });
    assert.equal(brokerLogging({ level: 'error', format: 'pretty' }), first);
    assert.throws(() => brokerLogging({ level: 'info', format: 'json' }), /one log setup per process/);
  });
});
