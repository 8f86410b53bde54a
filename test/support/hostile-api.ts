import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** How the server answers one HTTP request (by the operation's name). */
export type HttpAnswer =
  /** This JSON, as it is. */
  | { json: unknown }
  /** Nothing at all: the request is read and never answered. */
  | { never: true }
  /** The headers and the start of a body, then nothing more. */
  | { stall: true }
  /** A JSON body of `bytes` bytes, written as the client reads it (never held in memory). */
  | { stream: number };

export interface HostileApiOptions {
  /** Each HTTP request's answer; none by default. */
  http?: (operationName: string) => HttpAnswer;
  /**
   * A WebSocket is never upgraded, or never acknowledged, or each subscription is answered with
   * these `next` payloads and then completed.
   */
  ws?: 'never-upgrade' | 'never-ack' | ((operationName: string) => readonly unknown[]);
}

export interface HostileApi {
  /** Its root URL, as --url takes it. */
  url: string;
  /** Bytes of each streamed body written before the client went away, or all of it was sent. */
  streamed: number[];
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** Writes `{"data":{"x":"aaa…"}}` of `bytes` bytes, each chunk once the last has drained. */
function stream(res: ServerResponse, bytes: number, streamed: number[]): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const head = '{"data":{"x":"';
  const tail = '"}}';
  let written = head.length;
  res.write(head);
  const index = streamed.push(0) - 1;
  const more = () => {
    while (written < bytes - tail.length) {
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, bytes - tail.length - written));
      written += chunk.length;
      streamed[index] = written;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end(tail);
    streamed[index] = bytes;
  };
  res.once('close', () => res.removeAllListeners('drain'));
  more();
}

function operationNameOf(body: string): string {
  try {
    return (JSON.parse(body) as { operationName?: string }).operationName ?? '';
  } catch {
    return '';
  }
}

/**
 * A server at a free port that speaks enough GraphQL over HTTP and graphql-ws to be taken for the
 * task service, and answers as the test says: never, without end, too much, or with data no task
 * service would send. A real socket, for the command line to meet.
 */
export async function startHostileApi({ http, ws }: HostileApiOptions): Promise<HostileApi> {
  const streamed: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const answer = http?.(operationNameOf(body)) ?? { never: true };
      if ('json' in answer) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      } else if ('stall' in answer) {
        res.writeHead(200, { 'content-type': 'application/json' }).write('{"data":');
      } else if ('stream' in answer) stream(res, answer.stream, streamed);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (ws === 'never-upgrade') return; // the socket stays open, the upgrade unanswered
    wss.handleUpgrade(req, socket, head, (client: WebSocket) => {
      client.on('message', (raw: Buffer) => {
        const message = JSON.parse(raw.toString()) as {
          type: string;
          id?: string;
          payload?: { operationName?: string };
        };
        if (message.type === 'connection_init') {
          if (ws !== 'never-ack') client.send(JSON.stringify({ type: 'connection_ack' }));
        } else if (message.type === 'subscribe' && typeof ws === 'function') {
          for (const payload of ws(message.payload?.operationName ?? '')) {
            client.send(JSON.stringify({ id: message.id, type: 'next', payload }));
          }
          client.send(JSON.stringify({ id: message.id, type: 'complete' }));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streamed,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
