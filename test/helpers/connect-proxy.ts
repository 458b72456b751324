import * as http from 'node:http';
import * as net from 'node:net';

/**
 * A loopback HTTPS proxy (CONNECT only) that stands in for the internet: it
 * tunnels the `host:port` targets it is given to local ports and refuses
 * every other target, logging each CONNECT it sees. With HTTPS_PROXY set to
 * it, a test sees exactly which hosts a client tried to reach.
 */
export interface ConnectProxy {
  url: string;
  /** every CONNECT target, in order: `registry-1.docker.io:443` */
  targets: string[];
  stop(): Promise<void>;
}

export async function startConnectProxy(routes: Record<string, number>): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end('CONNECT only\n');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    targets.push(target);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const port = routes[target];
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const up = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
