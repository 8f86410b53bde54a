import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { startProcess } from '../../testbed/processes.js';
import { freePort } from './processes.js';
import { tempDir } from '../../testbed/redis-nodes.js';
import { waitFor } from '../../testbed/wait.js';

export type ServerStatus = 'UP' | 'DOWN' | 'MAINT' | 'DRAIN' | 'NOLB' | string;

export interface ProxiedServer {
  /** `host:port`, as given in `backends`. */
  address: string;
  /** UP, DOWN (its health check fails), MAINT (taken out by setState), and HAProxy's other states. */
  status: ServerStatus;
  /** Connections to it right now, and since the start. */
  current: number;
  total: number;
}

/** An HAProxy of the test's own in front of API processes, as a deployment would run one. */
export interface Haproxy {
  /** `http://127.0.0.1:port`: where clients connect. */
  url: string;
  /** The backends as HAProxy sees them, in the order given. */
  servers(): Promise<ProxiedServer[]>;
  /** Waits until HAProxy counts the backend at `address` in the state `status`. */
  waitForStatus(address: string, status: ServerStatus, timeoutMs?: number): Promise<void>;
  /** Sends no new connection to a backend (`maint`) or lets its health checks decide again (`ready`). */
  setState(address: string, state: 'ready' | 'maint' | 'drain'): Promise<void>;
  /** Everything HAProxy printed. */
  output(): string;
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  /** `host:port` of each API process. */
  backends: string[];
  /** Where it listens on 127.0.0.1; a free port by default. */
  port?: number;
}

const BACKEND = 'api';
const serverName = (index: number) => `api${index}`;

function config(port: number, backends: string[], adminSocket: string): string {
  return `global
  stats socket ${adminSocket} mode 600 level admin

defaults
  mode http
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  # A WebSocket is a tunnel once upgraded: it may stay open and quiet for long.
  timeout tunnel 1h
  # A connection refused by a backend that died goes to another one.
  retries 2
  option redispatch

frontend graphql
  bind 127.0.0.1:${port}
  default_backend ${BACKEND}

backend ${BACKEND}
  balance roundrobin
  # The API answers /readyz with 503 while its Redis is away: the proxy then sends it nothing.
  option httpchk GET /readyz
  # Without it a check has only its interval (500 ms) to be answered: an API slowed by a busy
  # machine would be taken out. A dead one refuses the connection at once, whatever this says.
  timeout check 3s
${backends.map((address, index) => `  server ${serverName(index)} ${address} check inter 500 fall 3 rise 1`).join('\n')}
`;
}

/** One command on HAProxy's admin socket, and its answer. */
function adminCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const connection = createConnection(socket, () => connection.end(`${command}\n`));
    connection.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    connection.on('end', () => resolve(answer));
    connection.on('error', reject);
  });
}

export async function startHaproxy({ backends, port }: HaproxyOptions): Promise<Haproxy> {
  const listen = port ?? (await freePort());
  const dir = tempDir('haproxy');
  const adminSocket = join(dir.path, 'admin.sock');
  const file = join(dir.path, 'haproxy.cfg');
  writeFileSync(file, config(listen, backends, adminSocket));
  const url = `http://127.0.0.1:${listen}`;

  const haproxy = startProcess('haproxy', ['-db', '-f', file]);

  const proxy: Haproxy = {
    url,

    async servers() {
      // `show stat` answers CSV: a header line `# pxname,svname,...`, then one line a proxy or server.
      const [header, ...rows] = (await adminCommand(adminSocket, 'show stat')).trim().split('\n');
      const columns = header!.replace(/^# /, '').split(',');
      const field = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
      const lines = rows.map((row) => row.split(','));
      return backends.map((address, index) => {
        const row = lines.find(
          (line) => field(line, 'pxname') === BACKEND && field(line, 'svname') === serverName(index),
        );
        if (!row) throw new Error(`HAProxy does not list ${address}`);
        return {
          address,
          status: field(row, 'status').split(' ')[0]!, // "DOWN 1/2" while it is going down
          current: Number(field(row, 'scur')),
          total: Number(field(row, 'stot')),
        };
      });
    },

    async waitForStatus(address, status, timeoutMs = 10_000) {
      await waitFor(
        async () => (await proxy.servers()).find((server) => server.address === address)?.status === status,
        {
          what: `HAProxy to count ${address} ${status}`,
          timeoutMs,
        },
      );
    },

    async setState(address, state) {
      const index = backends.indexOf(address);
      if (index < 0) throw new Error(`${address} is not a backend`);
      const answer = await adminCommand(adminSocket, `set server ${BACKEND}/${serverName(index)} state ${state}`);
      if (answer.trim()) throw new Error(`HAProxy refused the state ${state} for ${address}: ${answer.trim()}`);
    },

    output: () => haproxy.output(),

    async stop() {
      await haproxy.close();
      dir.remove();
    },
  };

  try {
    // Any answer will do, a 503 while no backend is up: HAProxy listens.
    const state = await waitFor(
      async () => (haproxy.running() ? await fetch(`${url}/healthz`).then(() => 'answers' as const) : 'exited'),
      { what: `HAProxy on port ${listen}` },
    );
    if (state === 'exited') {
      await haproxy.exited;
      // haproxy not on the PATH, say
      throw haproxy.error() ?? new Error(`HAProxy exited at start:\n${haproxy.output()}`);
    }
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  return proxy;
}
