/** Progress of a backup, verification or restore. No event ever carries a secret. */
export type BackupEvent =
  | { type: 'step'; step: string; status: 'started' | 'finished'; detail?: string }
  | { type: 'progress'; phase: 'dump' | 'restore'; bytes: number }
  /** The dump file is complete and fsynced, before it is verified. */
  | { type: 'dump-written'; path: string; bytes: number; sha256: string }
  /** Something left behind that did not fail the operation (a throwaway container Docker would not remove). */
  | { type: 'warning'; message: string };

export type BackupEventHandler = (event: BackupEvent) => void;

/** Calls the handler, and never lets a failing handler break the operation it observes. */
export function emitter(handler: BackupEventHandler | undefined): BackupEventHandler {
  return (event) => {
    try {
      handler?.(event);
    } catch {
      // An observer's bug must not turn a good backup into a failed one.
    }
  };
}
