import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import selfsigned from 'selfsigned';
import WebSocket from 'ws';
import { Inbox, connectClient, publish } from './support/clients';
import { TestBroker, startTestBroker } from './support/test-broker';

describe('listeners: TLS and WebSocket beside TCP', () => {
  let broker: TestBroker;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    // A certificate made for this run: CN and SAN localhost / 127.0.0.1.
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    dir = mkdtempSync(join(tmpdir(), 'nestmq-tls-'));
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.private);
    ca = pems.cert;
    broker = await startTestBroker({ mqttsPort: 0, wsPort: 0, tlsCertFile: join(dir, 'cert.pem'), tlsKeyFile: join(dir, 'key.pem') });
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves MQTT over TLS with the configured certificate, verified by the client', async () => {
    const tls = await connectClient(`mqtts://localhost:${broker.port('mqtts')}`, { ca, rejectUnauthorized: true });
    const inbox = new Inbox(tls);
    await tls.subscribeAsync('tls/t', { qos: 1 });
    const tcp = await connectClient(broker.url);
    await publish(tcp, 'tls/t', 'over tls', { qos: 1 });
    assert.equal((await inbox.waitFor(1))[0].payload.toString(), 'over tls');
    await Promise.all([tls.endAsync(), tcp.endAsync()]);
  });

  it('requires a client certificate signed by TLS_CA_FILE when one is configured', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      algorithm: 'sha256',
      clientCertificate: { cn: 'device-1' },
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
      ],
    });
    writeFileSync(join(dir, 'mtls-cert.pem'), pems.cert);
    writeFileSync(join(dir, 'mtls-key.pem'), pems.private);
    const mtls = await startTestBroker({
      mqttPort: null,
      mqttsPort: 0,
      tlsCertFile: join(dir, 'mtls-cert.pem'),
      tlsKeyFile: join(dir, 'mtls-key.pem'),
      tlsCaFile: join(dir, 'mtls-cert.pem'),
    });
    const url = `mqtts://localhost:${mtls.port('mqtts')}`;
    try {
      const withCert = await connectClient(url, { ca: pems.cert, cert: pems.clientcert, key: pems.clientprivate });
      assert.ok(withCert.connected);
      await withCert.endAsync();
      await assert.rejects(connectClient(url, { ca: pems.cert }));
    } finally {
      await mtls.close();
    }
  });

  it('serves MQTT over WebSocket at /mqtt with the subprotocol "mqtt" [MQTT-6.0.0-3]', async () => {
    const url = `ws://127.0.0.1:${broker.port('ws')}/mqtt`;
    const ws = await connectClient(url);
    const inbox = new Inbox(ws);
    await ws.subscribeAsync('ws/t', { qos: 2 });
    const tcp = await connectClient(broker.url);
    await publish(tcp, 'ws/t', 'over websocket', { qos: 2 });
    assert.equal((await inbox.waitFor(1))[0].payload.toString(), 'over websocket');
    await Promise.all([ws.endAsync(), tcp.endAsync()]);
  });

  it('answers the WebSocket handshake with the subprotocol the client offered', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${broker.port('ws')}/mqtt`, ['mqtt']);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    assert.equal(socket.protocol, 'mqtt');
    socket.close();
  });

  it('refuses WebSocket connections on other paths', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${broker.port('ws')}/other`, ['mqtt']);
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    assert.match(error.message, /Unexpected server response/);
  });
});
