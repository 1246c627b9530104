import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../../errors/upgrade-error';

/**
 * Where a GitHub token comes from: an environment variable of this process, or a file holding only the
 * token. Pass the place, never the token, through command lines and configuration.
 */
export type GitHubTokenSource = { env: string; file?: undefined } | { file: string; env?: undefined };

/**
 * Reads a token from its place. An unset or empty variable is no token (`undefined`); a file that
 * cannot be read, or is empty, is `INVALID_INPUT`. Messages name the place, never the token.
 */
export async function readGitHubToken(
  source: GitHubTokenSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (source.env !== undefined) return env[source.env]?.trim() || undefined;
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (cause) {
    throw new InvalidInputError({
      message: `Cannot read the GitHub token file ${source.file} (${(cause as { code?: string }).code ?? 'error'})`,
      hint: 'Check the path and its permissions; the file holds the token and nothing else',
      cause,
    });
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) {
    throw new InvalidInputError({
      message: `The GitHub token file ${source.file} ${token ? 'holds more than one word' : 'is empty'}`,
      hint: 'Write the token alone into the file (for example gh auth token > FILE; chmod 600 FILE)',
    });
  }
  return token;
}
