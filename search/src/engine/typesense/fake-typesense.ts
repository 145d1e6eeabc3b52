import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeReply {
  status: number;
  body: unknown;
  contentType?: string;
}

export type FakeRoute = (req: RecordedRequest) => FakeReply | undefined;

/**
 * A loopback HTTP server standing in for Typesense in tests: it records every request the real
 * `typesense` client sends and answers from a list of routes (first that returns a reply wins).
 * This tests our request building and response mapping over real HTTP, without the server.
 */
export class FakeTypesense {
  readonly requests: RecordedRequest[] = [];
  private routes: FakeRoute[] = [];
  private server: Server | null = null;
  url = '';

  on(route: FakeRoute): this {
    this.routes.push(route);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.routes = [];
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    let reply: FakeReply | undefined;
    for (const route of this.routes) {
      reply = route(recorded);
      if (reply) break;
    }
    reply ??= { status: 404, body: { message: 'Not Found' } };
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json; charset=utf-8' });
    res.end(text);
  }
}
