import type { ManualStep } from '../plan/upgrade-path';

/**
 * How the upgrade handles one step of an "Upgrade from X.Y" section. Release notes are untrusted
 * text: a command is never run through a shell. It is either something the upgrade already does
 * itself, an Engram release call the library can run as an argv, or left to a person.
 */
export type ManualStepHandling =
  | { handling: 'covered'; by: 'health-check' | 'backup' | 'pull-and-recreate' | 'env-change'; why: string }
  | { handling: 'release-call'; argv: string[]; why: string }
  | { handling: 'person'; why: string };

const RELEASE_CALL =
  /^docker compose exec (?:-T )?engram (?:\/app\/)?bin\/engram eval '(Engram\.Release(?:\.[A-Z][A-Za-z]*)*\.[a-z_]+\((?:\d{1,20}(?:, ?\d{1,20})*)?\))'$/;

/** Decides, from the step's text and commands alone, how it will be handled. Pure. */
export function classifyManualStep(step: ManualStep, envNames: readonly string[]): ManualStepHandling {
  const commands = step.commands.map((c) => c.trim()).filter((c) => c && !c.startsWith('#'));
  if (commands.length === 0) {
    const named = envNames.filter((n) => step.text.includes(n));
    if (named.length && /\.env|environment|variable/i.test(step.text)) {
      return { handling: 'covered', by: 'env-change', why: `the upgrade sets ${named.join(', ')} itself` };
    }
    return { handling: 'person', why: 'an instruction without a command the library can check' };
  }
  const kinds = commands.map((c) => classifyCommand(c));
  if (kinds.every((k) => k !== null && k.handling === 'covered')) {
    return kinds[0] as ManualStepHandling;
  }
  if (commands.length === 1 && kinds[0]?.handling === 'release-call') return kinds[0];
  return { handling: 'person', why: 'a command the library does not run on its own' };
}

function classifyCommand(cmd: string): ManualStepHandling | null {
  if (/^curl\b.*\/api\/health\b/.test(cmd)) {
    return { handling: 'covered', by: 'health-check', why: 'the upgrade reads /api/health before and after' };
  }
  if (/\bpg_dump\b/.test(cmd)) {
    return { handling: 'covered', by: 'backup', why: 'the upgrade takes and verifies its own backup' };
  }
  if (/^docker compose (?:pull|up)\b/.test(cmd) || /^docker compose down$/.test(cmd)) {
    return {
      handling: 'covered',
      by: 'pull-and-recreate',
      why: 'the upgrade pulls and recreates the app itself',
    };
  }
  const m = cmd.match(RELEASE_CALL);
  if (m) {
    return {
      handling: 'release-call',
      argv: ['/app/bin/engram', 'eval', m[1]!],
      why: 'an Engram.Release call with literal integer arguments only',
    };
  }
  return null;
}
