/**
 * A loopback TCP proxy that counts round trips: a "turn" is the client speaking again after the server has
 * answered. One statement sent and answered is one turn; a pipelined batch is one turn too.
 */
import net from 'node:net';

export interface CountingProxy {
  url(target: string): string;
  turns(): number;
  close(): Promise<void>;
}

export async function countingProxy(target: string): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  let turns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port || 5432), hostname);
    let serverSpoke = true;
    for (const s of [client, upstream]) {
      // As pg and PostgreSQL do: without it, Nagle holds a pipelined batch's later packets for ~40 ms.
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.on('data', (data) => {
      if (serverSpoke) turns++;
      serverSpoke = false;
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      serverSpoke = true;
      client.write(data);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = (server.address() as net.AddressInfo).port;
  return {
    url(via: string) {
      const u = new URL(via);
      u.host = `127.0.0.1:${listening}`;
      return u.toString();
    },
    turns: () => turns,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
