import WebSocket from 'ws';

/**
 * Runs a full garbage collection in a process started with `--inspect=127.0.0.1:PORT`, through
 * the inspector protocol (HeapProfiler.collectGarbage), so that a memory reading afterwards counts
 * what the process holds rather than what it has not collected yet.
 */
export async function collectGarbage(inspectPort: number): Promise<void> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectPort}`);
  const socket = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the garbage collection did not answer')), 30_000);
      socket.on('message', (data) => {
        if ((JSON.parse(String(data)) as { id?: number }).id === 1) {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    socket.close();
  }
}
