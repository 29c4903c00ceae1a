import { createConnection } from 'node:net';

/** Whether a TCP service answers on 127.0.0.1:port within the timeout. */
export function isReachable(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * For a test that needs a local service: resolves to true when it is up. When it is down the test should skip,
 * unless UPKEEP_REQUIRE_SERVICES=1 (CI), where this throws so that the test fails.
 */
export async function serviceAvailable(name: string, port: number): Promise<boolean> {
  if (await isReachable(port)) return true;
  const message = `${name} is not reachable on 127.0.0.1:${port}`;
  if (process.env.UPKEEP_REQUIRE_SERVICES === '1') throw new Error(`${message} (UPKEEP_REQUIRE_SERVICES=1)`);
  console.warn(`skipping: ${message}`);
  return false;
}
