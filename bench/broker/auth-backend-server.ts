/**
 * The servers the authentication benchmark's brokers ask, in a process of their own so that their CPU is
 * neither the broker's nor the load generator's: an HTTP authentication hook that allows every CONNECT
 * (POST /auth), and a JWKS document (GET /jwks, the public key given in BENCH_JWKS). Prints its port.
 */
import * as http from 'node:http';

const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
let hookCalls = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/jwks') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    return;
  }
  if (req.method === 'GET' && req.url === '/calls') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hook: hookCalls }));
    return;
  }
  if (req.method === 'POST' && req.url === '/auth') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookCalls++;
      const { username } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username?: string };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'allow', username }));
    });
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
