import net from 'node:net';

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The <Code> of an OSS XML error body. */
export const xmlCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
