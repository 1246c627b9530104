import { envMap } from '../docker/env-entries';

/**
 * Secrets the library has seen (database passwords, the master key, app secrets). Every text that can
 * leave the library — error messages, events, logs it relays — goes through `redact` first.
 */
export class SecretSet {
  readonly #values = new Set<string>();

  /**
   * Adds a secret and every form it takes in text the library relays: URL-encoded (connection
   * strings), SQL-quoted (Postgres echoes a failing statement), JSON- and backslash-escaped (logs).
   */
  add(value: string | undefined | null): this {
    if (!value) return this;
    for (const form of encodedForms(value)) this.#values.add(form);
    return this;
  }

  /** Adds the secrets found in `KEY=value` environment entries. */
  addFromEnv(env: readonly string[]): this {
    for (const [key, value] of Object.entries(envMap(env))) {
      if (isSecretName(key)) this.add(value);
      if (/URL$/i.test(key)) for (const pw of urlPasswordForms(value)) this.add(pw);
    }
    return this;
  }

  merge(other: SecretSet): this {
    for (const v of other.#values) this.#values.add(v);
    return this;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (v.length >= SHORT) out = out.split(v).join('[redacted]');
      // A very short secret is redacted where it stands alone, not inside every word that contains it.
      else
        out = out.replace(
          new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(v)}(?![\\p{L}\\p{N}])`, 'gu'),
          '[redacted]',
        );
    }
    return out;
  }

  get size(): number {
    return this.#values.size;
  }
}

/** Secrets shorter than this are matched only where they stand alone. */
const SHORT = 4;

function encodedForms(value: string): Set<string> {
  return new Set([
    value,
    encodeURIComponent(value),
    value.replace(/'/g, "''"),
    JSON.stringify(value).slice(1, -1),
    value.replace(/[\\"'$`]/g, '\\$&'),
  ]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SECRET_NAME = /(PASSWORD|SECRET|MASTER_KEY|TOKEN|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The password of a URL, decoded (or as written, when it is not valid percent-encoding). */
export function passwordOfUrl(url: string): string | undefined {
  return urlPasswordForms(url).at(-1);
}

/** Every form a URL's password can take in text: as written in the URL, and decoded. */
function urlPasswordForms(url: string): string[] {
  let written: string;
  try {
    written = new URL(url).password;
  } catch {
    return [];
  }
  if (!written) return [];
  try {
    const decoded = decodeURIComponent(written);
    return decoded === written ? [written] : [written, decoded];
  } catch {
    return [written];
  }
}
