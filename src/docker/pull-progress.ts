import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { PullProgress } from './docker-port';

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/**
 * Waits for a pull's progress stream to finish, reporting bytes summed over the layers that announced
 * a size. A registry error arrives as an event, not as a stream error: it rejects all the same.
 */
export function followPull(
  modem: Docker['modem'],
  stream: Readable,
  onProgress: ((p: PullProgress) => void) | undefined,
): Promise<void> {
  const layers = new Map<string, { current: number; total: number }>();
  return new Promise<void>((resolve, reject) => {
    modem.followProgress(
      stream,
      (err: Error | null, events: PullEvent[]) => {
        const failed = events?.find((e) => e.error);
        if (err) reject(err);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: PullEvent) => {
        if (!onProgress) return;
        if (event.id && event.progressDetail?.total) {
          layers.set(event.id, {
            current: event.progressDetail.current ?? 0,
            total: event.progressDetail.total,
          });
        }
        let current = 0;
        let total = 0;
        for (const l of layers.values()) {
          current += l.current;
          total += l.total;
        }
        onProgress({ status: event.status ?? '', current, total });
      },
    );
  });
}
