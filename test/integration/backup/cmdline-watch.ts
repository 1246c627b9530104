import { readdirSync, readFileSync } from 'node:fs';

/**
 * Scans every process's argv (/proc/<pid>/cmdline, which includes processes inside containers) for a
 * string, every few milliseconds, until disposed.
 */
export class CmdlineWatch implements Disposable, AsyncDisposable {
  #found = new Set<string>();
  #scans = 0;
  #timer: NodeJS.Timeout;

  private constructor(private readonly needle: string) {
    this.#timer = setInterval(() => this.scan(), 5);
  }

  static start(needle: string): CmdlineWatch {
    const w = new CmdlineWatch(needle);
    w.scan();
    return w;
  }

  scan(): void {
    this.#scans++;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        if (argv.includes(this.needle)) this.#found.add(argv.replace(/\0/g, ' '));
      } catch {
        // the process ended between readdir and read
      }
    }
  }

  hits(): string[] {
    this.scan();
    return [...this.#found];
  }

  scans(): number {
    return this.#scans;
  }

  [Symbol.dispose](): void {
    clearInterval(this.#timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#timer);
  }
}
