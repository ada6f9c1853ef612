// The lab's probe agent, run inside a namespace with `ip netns exec NS node probeAgent.js`.
//   listen NAME tcp:80 udp:53 ...   answer every connection/datagram with NAME
//   connect tcp|udp IP PORT MS     print {"ok":true,"reply":NAME} or {"ok":false,"error":...}
// Small and dependency-free: one process per pod namespace in a lab of at most 200 pods.
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';

function listen(name: string, specs: string[]): void {
  for (const spec of specs) {
    const [proto, portText] = spec.split(':');
    const port = Number(portText);
    if (proto === 'tcp') {
      createServer((s) => { s.on('error', () => {}); s.end(`${name}\n`); }).listen(port, '0.0.0.0');
    } else {
      const sock = createSocket('udp4');
      sock.on('message', (_m, from) => sock.send(`${name}\n`, from.port, from.address));
      sock.bind(port, '0.0.0.0');
    }
  }
}

function done(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function connectTcp(ip: string, port: number, ms: number): void {
  let reply = '';
  const s = connect({ host: ip, port, timeout: ms });
  s.on('data', (d) => { reply += d.toString(); });
  s.on('end', () => done({ ok: true, reply: reply.trim(), local: `${s.localAddress}:${s.localPort}` }));
  s.on('timeout', () => { s.destroy(); done({ ok: false, error: 'timeout' }); });
  s.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
}

function connectUdp(ip: string, port: number, ms: number): void {
  const sock = createSocket('udp4');
  const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), ms);
  sock.on('message', (m) => { clearTimeout(timer); done({ ok: true, reply: m.toString().trim() }); });
  sock.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
  sock.send('probe\n', port, ip);
}

const [verb, ...args] = process.argv.slice(2);
if (verb === 'listen') listen(args[0]!, args.slice(1));
else if (verb === 'connect') (args[0] === 'udp' ? connectUdp : connectTcp)(args[1]!, Number(args[2]), Number(args[3] ?? 2000));
else { process.stderr.write('usage: probeAgent listen NAME proto:port... | connect tcp|udp IP PORT [MS]\n'); process.exit(2); }
