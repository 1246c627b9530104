import { envMap } from '../docker/env-entries';

/**
 * Secrets the library has seen (database passwords, the master key, app secrets). Every text that can
 * leave the library — error messages, events, logs it relays — goes through `redact` first.
 */
export class SecretSet {
  readonly #values = new Set<string>();

  /** Adds a secret and its URL-encoded form (passwords appear encoded inside connection strings). */
  add(value: string | undefined | null): this {
    if (!value || value.length < 4) return this;
    this.#values.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.#values.add(encoded);
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
    for (const v of [...this.#values].sort((a, b) => b.length - a.length))
      out = out.split(v).join('[redacted]');
    return out;
  }

  get size(): number {
    return this.#values.size;
  }
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
