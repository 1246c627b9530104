import { run } from '../process/run-command';

/** Whether `docker compose version` answers on this host (the compose CLI plugin is installed). */
export async function composeAvailable(): Promise<boolean> {
  try {
    return (await run('docker', ['compose', 'version'], { allowFail: true })).code === 0;
  } catch {
    return false; // no docker CLI at all: that is the answer, not a failure
  }
}
