import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';
import { builtCli, ROOT } from './built-cli';

/**
 * What a person sees: the built command line run in a real terminal (tmux), its screen read while it
 * runs and every byte it was sent. Serial: it samples the screen every 100 ms while a backup runs.
 */

// The command line as built for this run by the integration setup.
const BIN = builtCli();
// A tmux server of this file's own, on a socket in a directory removed afterwards.
const SOCKET_DIR = mkdtempSync(join(tmpdir(), 'engram-cli-tmux-'));
const SOCKET = join(SOCKET_DIR, 'socket');
const ESC = '\u001b';
const BAR = /[█░]{10,}/;

afterAll(() => {
  tmux('kill-server');
  rmSync(SOCKET_DIR, { recursive: true, force: true });
});

function tmux(...args: string[]) {
  return spawnSync('tmux', ['-S', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the binary in a fresh 120×40 terminal with `env` (NO_COLOR and FORCE_COLOR from this process
 * removed first), and samples the screen, escape codes included, until the command has exited. `raw`
 * is every byte the terminal received (tmux pipe-pane, attached before the command starts): each
 * redraw is in it, however fast the command ran, where sampling the screen can miss them.
 */
async function inTerminal(name: string, args: string[], env: Record<string, string>) {
  const ready = join(SOCKET_DIR, `${name}.ready`);
  const rawFile = join(SOCKET_DIR, `${name}.raw`);
  const command = [
    `while [ ! -e ${quote(ready)} ]; do sleep 0.05; done;`,
    'env -u NO_COLOR -u FORCE_COLOR -u CI TERM=xterm-256color',
    ...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`),
    quote(process.execPath),
    quote(BIN),
    ...args.map(quote),
    '; echo "EXIT $?"; sleep 600',
  ].join(' ');
  const started = tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', command);
  expect(started.status, started.stderr).toBe(0);
  const piped = tmux('pipe-pane', '-o', '-t', name, `cat >> ${quote(rawFile)}`);
  expect(piped.status, piped.stderr).toBe(0);
  writeFileSync(ready, '');
  const frames: string[] = [];
  const deadline = Date.now() + 180_000;
  for (;;) {
    // The whole pane, its scrollback included (a long run's first lines scroll off a 40-line screen).
    const shot = tmux('capture-pane', '-p', '-e', '-S', '-', '-t', name);
    frames.push(shot.stdout);
    const exit = /EXIT (\d+)/.exec(shot.stdout);
    const raw = existsSync(rawFile) ? readFileSync(rawFile, 'utf8') : '';
    // The pipe may trail the screen by a moment: done once it has the exit line too.
    if (exit && raw.includes('EXIT ')) return { code: Number(exit[1]), frames, screen: shot.stdout, raw };
    if (Date.now() > deadline) {
      const seen = exit ? 'the screen shows the exit, but the recorded output does not' : 'no exit';
      throw new Error(`${seen} within 180 s; the screen:\n${shot.stdout}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every `<title> ███░░ k/N steps` the terminal was sent, in order, as [k, N]. */
function barStates(raw: string, title: string): [number, number][] {
  return [...plain(raw).matchAll(new RegExp(`${title} [█░]{10,} (\\d+)/(\\d+) steps`, 'g'))].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are the subject
const plain = (text: string) => text.replace(/\u001b\[[0-9;:]*m/g, '');

describe('engram-upgrade in a real terminal', () => {
  it('backup draws a progress bar in colour; with NO_COLOR=1 plain lines and no escape codes', async () => {
    expect(existsSync(BIN)).toBe(true);
    await using stack = await startEngramStack({ version: '0.15.0' });
    // Enough rows (about 80 MB) that the backup runs for seconds: the screen is read every 100 ms,
    // and a bar must be seen in more than one state while it runs.
    await stack.query(
      "INSERT INTO users (email) VALUES ('tty@example.test'); INSERT INTO notes (user_id, title, body) " +
        "SELECT (SELECT id FROM users WHERE email = 'tty@example.test'), 'n' || g, repeat(md5(random()::text), 16) " +
        'FROM generate_series(1, 150000) g',
    );
    const args = ['backup', '--project', stack.projectName, '--dir'];

    const tty = await inTerminal('colour', [...args, tempDir('engram-cli-tty-')], {});
    expect(tty.code, plain(tty.screen)).toBe(0);
    // While it ran: a bar, redrawn (more than one state of it), in colour.
    const states = barStates(tty.raw, 'backup');
    expect(new Set(states.map(([k]) => k)).size, plain(tty.screen)).toBeGreaterThan(1);
    expect(tty.raw).toContain(`${ESC}[`);
    // At the end: the overall bar full, a line per finished step, the result.
    const end = plain(tty.screen);
    expect(end).toMatch(/backup [█]{10,} (\d+)\/\1 steps/);
    expect(end).toMatch(/✓ dump/);
    expect(end).toContain('Backup written to');

    const noColour = await inTerminal('no-colour', [...args, tempDir('engram-cli-nocolor-')], {
      NO_COLOR: '1',
    });
    expect(noColour.code, noColour.screen).toBe(0);
    for (const frame of [...noColour.frames, noColour.raw]) {
      expect(frame).not.toContain(ESC);
      expect(frame).not.toMatch(BAR);
    }
    expect(noColour.screen).toMatch(/✓ dump/);
    expect(noColour.screen).toContain('Backup written to');
    for (const secret of Object.values(stack.secrets)) {
      expect(tty.frames.join('')).not.toContain(secret);
      expect(tty.raw).not.toContain(secret);
    }
  }, 400_000);

  it('apply shows the upgrade as it goes: an overall bar of the plan, a line per step, the summary', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const state = tempDir('engram-cli-tty-state-');
    const planFile = join(tempDir('engram-cli-tty-plan-'), 'plan.json');
    const p = ['--project', stack.projectName, '--state-dir', state];
    const planned = spawnSync(
      process.execPath,
      [
        BIN,
        'plan',
        ...p,
        '--releases-json',
        join(ROOT, 'test/fixtures/releases/github-releases.json'),
        '--to',
        '0.15.0',
        '--backup-dir',
        tempDir('engram-cli-tty-backups-'),
        '--save',
        planFile,
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(planned.status, planned.stderr).toBe(0);

    const run = await inTerminal('apply', ['apply', ...p, '--plan', planFile, '--yes'], {});
    const end = plain(run.screen);
    expect(run.code, end).toBe(0);
    // The overall bar was drawn before the last step finished, and full at the end.
    const [first] = barStates(run.raw, 'upgrade');
    expect(first, end).toBeDefined();
    expect(first![0]).toBeLessThan(first![1]);
    expect(end).toMatch(/upgrade [█]{10,} (\d+)\/\1 steps/);
    expect(end).toMatch(/✓ hop1\.pull/);
    expect(end).toMatch(/✓ hop1\.health/);
    expect(end).toContain('Upgraded');
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });
  }, 400_000);
});
