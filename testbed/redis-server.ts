import { logFile, nodeProcess, tempDir } from './redis-nodes.js';
import type { OutputMode } from './processes.js';
import { freePort } from './ports.js';

/** One redis-server on loopback, with append-only persistence, that its owner may stop and start again. */
export interface RedisServer {
  url: string;
  port: number;
  /** Starts it again after a stop, on the same port and data. */
  start(): Promise<void>;
  /** SIGTERM: Redis flushes the append-only file and exits. */
  stop(): Promise<void>;
  /** Stops it for good, and deletes its data unless it was given a `dir` of its own. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** @defaultValue a free one */
  port?: number;
  /** Where its data and log go, kept after close(). @defaultValue a temporary folder, deleted by close() */
  dir?: string;
  /** fsync every write, so that a test that stops it loses nothing. @defaultValue false (once a second) */
  fsyncAlways?: boolean;
  /** What it prints on stderr (its log goes to a file in `dir`). @defaultValue 'ignore' */
  stderr?: OutputMode;
}

export async function startRedisServer({
  port,
  dir,
  fsyncAlways = false,
  stderr = 'ignore',
}: RedisServerOptions = {}): Promise<RedisServer> {
  const serverPort = port ?? (await freePort());
  const temporary = dir === undefined ? tempDir('redis') : null;
  const dataDir = dir ?? temporary!.path;
  const node = nodeProcess(
    serverPort,
    dataDir,
    [
      ...['--port', String(serverPort), '--bind', '127.0.0.1', '--dir', dataDir],
      ...['--logfile', logFile(dataDir, serverPort)],
      ...['--appendonly', 'yes', ...(fsyncAlways ? ['--appendfsync', 'always'] : []), '--save', ''],
    ],
    { stderr },
  );
  const server: RedisServer = {
    url: `redis://127.0.0.1:${serverPort}`,
    port: serverPort,
    start: () => node.start(),
    stop: () => node.stop('SIGTERM'),
    async close() {
      await node.stop('SIGTERM');
      temporary?.remove();
    },
  };
  try {
    await node.start();
  } catch (error) {
    temporary?.remove();
    throw error;
  }
  return server;
}
