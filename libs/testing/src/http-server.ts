import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { freePort } from "./free-port";

export interface TestHttpServer {
  port: number;
  close(): Promise<void>;
}

/** A loopback HTTP server on a free port whose handler gets each request's whole body as text. */
export async function listenWithBodies(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<TestHttpServer> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
