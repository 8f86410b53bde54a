import WebSocket from 'ws';
import { waitFor } from '../../testbed/wait.js';

export interface RawSocket {
  socket: WebSocket;
  /** Messages from the server, parsed. */
  messages: { type: string; id?: string; payload?: unknown }[];
  /** When it closes: the code, and how long after opening. */
  closed: Promise<{ code: number; reason: string; afterMs: number }>;
  opened: Promise<void>;
}

/**
 * A WebSocket speaking graphql-transport-ws by hand, to send what a well-behaved client never would;
 * `protocol: ''` offers no subprotocol at all.
 */
export function rawSocket(url: string, { autoPong = true, protocol = 'graphql-transport-ws' } = {}): RawSocket {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, protocol ? [protocol] : [], { autoPong });
  const messages: RawSocket['messages'] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as RawSocket['messages'][number]));
  const started = Date.now();
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string; afterMs: number }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason), afterMs: Date.now() - started })),
  );
  return { socket, messages, closed, opened };
}

/** A raw socket that has sent connection_init (with `payload`, if any) and been acknowledged. */
export async function acknowledgedSocket(url: string, payload?: Record<string, unknown>): Promise<RawSocket> {
  const raw = rawSocket(url);
  await raw.opened;
  raw.socket.send(JSON.stringify(payload ? { type: 'connection_init', payload } : { type: 'connection_init' }));
  await waitFor(() => raw.messages.some((m) => m.type === 'connection_ack'), { what: 'the ack' });
  return raw;
}
