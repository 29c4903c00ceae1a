import { afterAll, describe, expect, it } from 'vitest';
import { serviceAvailable } from '../../test/helpers/services.js';
import { connectNats } from '../cli/commands/worker.js';
import { withoutCredentials } from '../core/url.js';
import { DuckDBStore } from '../store/duckdb.js';
import { DuckDBDeadLetters } from '../store/duckdb-dead-letters.js';
import { MqttSource } from './mqtt-source.js';

const up = await serviceAvailable('Mosquitto', 1883);
const store = await DuckDBStore.open(':memory:', { threads: 1 });

afterAll(async () => {
  await store.close();
});

describe('broker credentials stay out of logs and errors', () => {
  it('shows a broker URL without user, password or query string', () => {
    expect(withoutCredentials('mqtt://ingest:s3cr3t@broker.example:8883/?token=abc')).toBe(
      'mqtt://broker.example:8883',
    );
    expect(withoutCredentials('mqtts://broker.example/ws')).toBe('mqtts://broker.example/ws');
    expect(withoutCredentials('not a url//user:pw@host')).toBe('not a url//host');
  });

  it.runIf(up)('connects with credentials in the URL or the options, and no log line holds the password', async () => {
    const lines: string[] = [];
    const deadLetters = await DuckDBDeadLetters.open(store);
    const source = await MqttSource.start(store, deadLetters, {
      url: 'mqtt://ingest:url-s3cr3t@127.0.0.1:1883',
      username: 'ingest',
      password: 'option-s3cr3t',
      topic: `upkeep-credentials-test/${Date.now()}/+`,
      clientId: `upkeep-credentials-${Date.now()}`,
      sessionExpirySeconds: 0,
      log: (line) => lines.push(line),
    });
    await source.stop();
    expect(lines.join('\n')).toMatch(/connected to mqtt:\/\/127\.0\.0\.1:1883 as/);
    expect(lines.join('\n')).not.toMatch(/s3cr3t/);
  });

  it('names an unreachable NATS server without its credentials', async () => {
    const failure = connectNats('nats://ingest:s3cr3t@127.0.0.1:1');
    await expect(failure).rejects.toThrow(/^cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /);
    await expect(failure).rejects.not.toThrow(/s3cr3t/);
  });
});
