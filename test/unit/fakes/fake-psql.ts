import { FIELD_SEP } from '../../../src/db/psql';
import type { FakeExec, FakeReply, Responder } from './fake-docker';

/** What the fake database answers to one SQL text: rows, or an error psql would print. */
export type SqlAnswer = string[][] | { error: string };

/** Every SQL text the fake psql received, in order. */
export interface PsqlLog {
  sql: string[];
}

function rowsText(rows: string[][]): string {
  return rows.map((r) => `${r.join(FIELD_SEP)}\n`).join('');
}

/**
 * Answers `psql` the way the real client does with `-At -F <FIELD_SEP> -v ON_ERROR_STOP=1`: rows
 * on standard output, `\echo` lines echoed, and exit status 3 with the error on standard error at
 * the first failing statement. Works for one-shot `-c` calls and for sessions fed through stdin.
 * Commands other than psql go to `other`.
 */
export function psqlResponder(
  answer: (sql: string) => SqlAnswer,
  log: PsqlLog = { sql: [] },
  other?: Responder,
): Responder {
  return async (exec: FakeExec): Promise<FakeReply> => {
    if (exec.cmd[0] !== 'psql') {
      return other ? other(exec) : { exitCode: 127, stderr: `${exec.cmd[0]}: not found` };
    }
    if (exec.cmd.includes('-c')) {
      // One `-c` per statement, run in order; the first that fails ends the run (ON_ERROR_STOP).
      let stdout = '';
      for (let c = exec.cmd.indexOf('-c'); c >= 0; c = exec.cmd.indexOf('-c', c + 2)) {
        const sql = exec.cmd[c + 1] ?? '';
        log.sql.push(sql);
        const a = answer(sql);
        if ('error' in a) return { exitCode: 1, stdout, stderr: `ERROR:  ${a.error}\n` };
        stdout += rowsText(a);
      }
      return { exitCode: 0, stdout };
    }
    for await (const line of exec.stdinLines()) {
      if (line === '\\q') return { exitCode: 0 };
      if (line.startsWith('\\echo ')) {
        await exec.write(`${line.slice('\\echo '.length)}\n`);
        continue;
      }
      log.sql.push(line);
      const a = answer(line);
      if ('error' in a) return { exitCode: 3, stderr: `ERROR:  ${a.error}\n` };
      await exec.write(rowsText(a));
    }
    return { exitCode: 0 };
  };
}
