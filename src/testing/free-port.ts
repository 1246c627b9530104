import { createServer } from 'node:net';
import { testbedError } from './testbed-error';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', (err) => reject(testbedError('find a free port on 127.0.0.1', err)));
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr
          ? resolve(addr.port)
          : reject(testbedError('find a free port on 127.0.0.1', 'the listener reported no address')),
      );
    });
  });
}

/** Whether a failure (or one of its causes) is the engine or the kernel saying a port is in use already. */
export function portTaken(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/port is already allocated|address already in use/i.test(e.message)) return true;
  }
  return false;
}
