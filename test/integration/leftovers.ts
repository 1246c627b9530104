import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRATCH_LABEL } from '../../src/backup/scratch-postgres';
import type { DockerHousekeepingPort, LabelledResource } from '../../src/docker/docker-port';
import { OWNER_LABEL, TESTBED_LABEL } from '../../src/testing/images';

/** Prefix of every temporary directory the suite's tests and the harness make. */
const SUITE_PREFIX = 'engram-';

const key = (r: LabelledResource): string => `${r.kind} ${r.id}`;

/**
 * Everything the test bed labels: stacks (containers, volumes, networks), scratch Postgres containers,
 * and the one-off containers the library runs for a deployment (a migrator).
 */
async function labelled(docker: DockerHousekeepingPort): Promise<LabelledResource[]> {
  const found: LabelledResource[] = [];
  for (const kind of ['container', 'volume', 'network'] as const)
    found.push(...(await docker.listLabelled(kind, `${TESTBED_LABEL}=true`)));
  found.push(...(await docker.listLabelled('container', SCRATCH_LABEL)));
  found.push(...(await docker.listLabelled('container', 'engram-upgrade.oneoff')));
  return found;
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // gone, or no /proc
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a resource that appeared during the run is this run's: made by this process or one below it
 * (the test workers and their children), or by a process that has ended (workers have, by teardown).
 * A live process outside this tree is a concurrent run on the same machine: its stacks are not ours.
 */
function madeByThisRun(r: LabelledResource): boolean {
  const owner = r.labels[OWNER_LABEL] ?? r.labels[SCRATCH_LABEL];
  if (!owner) return true;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return true;
  for (let p: number | undefined = pid, hops = 0; p && p > 1 && hops < 64; hops++) {
    if (p === process.pid) return true;
    p = parentOf(p);
  }
  return false;
}

function describeDir(path: string): string {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  try {
    walk(path);
  } catch {
    return path; // unreadable (a mount point left behind, say): the name is enough
  }
  return files ? `${path} (${files} files, ${bytes} bytes)` : `${path} (empty)`;
}

/**
 * The suite's proof that nothing is left behind. `start` notes the labelled Docker resources that exist
 * already and points TMPDIR (inherited by the test workers) at a directory of the run's own, so the
 * temporary directories of this run are told apart from a concurrent run's. `finish` names what the
 * run's tests left: labelled containers, volumes and networks that appeared and belong to this run,
 * and `engram-*` entries in the run's temporary directory. It removes them, so one failed run does not
 * fail the next, and returns their descriptions.
 */
export class LeftoverCheck {
  readonly #docker: DockerHousekeepingPort;
  readonly #before: Set<string>;
  readonly #tmp: string;
  readonly #previousTmpdir: string | undefined;

  private constructor(docker: DockerHousekeepingPort, before: Set<string>, tmp: string) {
    this.#docker = docker;
    this.#before = before;
    this.#tmp = tmp;
    this.#previousTmpdir = process.env.TMPDIR;
  }

  static async start(docker: DockerHousekeepingPort): Promise<LeftoverCheck> {
    const before = new Set((await labelled(docker)).map(key));
    const tmp = mkdtempSync(join(tmpdir(), `${SUITE_PREFIX}suite-`));
    const check = new LeftoverCheck(docker, before, tmp);
    process.env.TMPDIR = tmp;
    return check;
  }

  /** The run's temporary directory (TMPDIR of the workers). */
  get tmp(): string {
    return this.#tmp;
  }

  async finish(): Promise<string[]> {
    if (this.#previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.#previousTmpdir;
    const left: string[] = [];
    const resources = (await labelled(this.#docker)).filter(
      (r) => !this.#before.has(key(r)) && madeByThisRun(r),
    );
    // Containers come first in the list: a volume or network is removable once nothing uses it.
    for (const r of resources) {
      const removal = await this.#docker.removeResource(r).then(
        () => '',
        (err: unknown) => ` — could not be removed: ${(err as Error).message}`,
      );
      left.push(`${r.kind} ${r.name}${removal}`);
    }
    for (const name of readdirSync(this.#tmp)
      .filter((n) => n.startsWith(SUITE_PREFIX))
      .sort())
      left.push(describeDir(join(this.#tmp, name)));
    try {
      rmSync(this.#tmp, { recursive: true, force: true });
    } catch (err) {
      left.push(`${this.#tmp} — could not be removed: ${(err as Error).message}`);
    }
    return left;
  }
}
