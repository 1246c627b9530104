import { describe, expect, it } from 'vitest';
import { isSecretName, passwordOfUrl, SecretSet } from '../../../src/secrets';

const PASSWORD = 'canary-pw/with+odd&chars';
const MASTER_KEY = 'q2V0aGUtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE=';

describe('SecretSet', () => {
  it('redacts a secret in its raw and its URL-encoded form', () => {
    const s = new SecretSet().add(PASSWORD);
    const encoded = encodeURIComponent(PASSWORD);
    expect(encoded).not.toBe(PASSWORD);
    const out = s.redact(`raw ${PASSWORD} and in a URL postgres://u:${encoded}@db/x`);
    expect(out).toBe('raw [redacted] and in a URL postgres://u:[redacted]@db/x');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const s = new SecretSet().add('abcd').add('abcdefgh');
    expect(s.redact('x abcdefgh y abcd z')).toBe('x [redacted] y [redacted] z');
    // Added in the other order, the result is the same: no 'efgh' tail survives.
    const t = new SecretSet().add('abcdefgh').add('abcd');
    expect(t.redact('abcdefgh')).toBe('[redacted]');
  });

  it('ignores empty values; a short one is redacted only where it stands alone, so ordinary text survives', () => {
    expect(new SecretSet().add('').add(undefined).add(null).size).toBe(0);
    const s = new SecretSet().add('abc');
    expect(s.redact('abc abcdef xabc')).toBe('[redacted] abcdef xabc');
    expect(new SecretSet().add('abcd').size).toBe(1);
  });

  it('collects passwords, secrets, the master key and the password inside DATABASE_URL from env entries', () => {
    const urlPw = 'url-only p@ss';
    const env = [
      `POSTGRES_PASSWORD=${PASSWORD}`,
      'POSTGRES_USER=engram',
      'SECRET_KEY_BASE=skb-0123456789abcdef',
      'JWT_SECRET=jwt-0123456789abcdef',
      'STORAGE_SECRET_ACCESS_KEY=s3-secret-value',
      `ENCRYPTION_MASTER_KEY=${MASTER_KEY}`,
      `DATABASE_URL=postgres://engram:${encodeURIComponent(urlPw)}@postgres:5432/engram`,
      'PHX_HOST=localhost',
      'NOEQUALSSIGN',
    ];
    const s = new SecretSet().addFromEnv(env);
    const text = env.join('\n');
    const out = s.redact(text);
    for (const secret of [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      'skb-0123456789abcdef',
      'jwt-0123456789abcdef',
      's3-secret-value',
      MASTER_KEY,
      urlPw,
      encodeURIComponent(urlPw),
    ]) {
      expect(out).not.toContain(secret);
    }
    // Non-secret values stay readable.
    expect(out).toContain('POSTGRES_USER=engram');
    expect(out).toContain('PHX_HOST=localhost');
    expect(out).toContain('@postgres:5432/engram');
    expect(s.redact(`psql: password ${urlPw} rejected`)).toBe('psql: password [redacted] rejected');
  });

  it('merges another set', () => {
    const a = new SecretSet().add('first-secret');
    const b = new SecretSet().add('second-secret');
    expect(a.merge(b).redact('first-secret second-secret')).toBe('[redacted] [redacted]');
  });

  // A URL may percent-encode characters encodeURIComponent leaves alone: redact the form as written.
  it('redacts the password of DATABASE_URL in the form it is written in the URL', () => {
    const s = new SecretSet().addFromEnv(['DATABASE_URL=postgres://engram:pa%21ss%2fword@db/engram']);
    expect(s.redact('connect postgres://engram:pa%21ss%2fword@db/engram')).not.toContain('pa%21ss%2fword');
  });

  // A '%' that starts no escape is not valid percent-encoding; the password is still redacted.
  it('redacts a DATABASE_URL password that contains a bare %', () => {
    const s = new SecretSet().addFromEnv(['DATABASE_URL=postgres://engram:50%off-canary@db/engram']);
    expect(s.redact('password 50%off-canary')).toBe('password [redacted]');
  });
});

describe('isSecretName / passwordOfUrl', () => {
  it('recognises the secret variable names Engram uses and leaves the rest', () => {
    for (const n of [
      'POSTGRES_PASSWORD',
      'SECRET_KEY_BASE',
      'JWT_SECRET',
      'ENCRYPTION_MASTER_KEY',
      'ENCRYPTION_MASTER_KEY_PREVIOUS',
      'STORAGE_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN',
    ]) {
      expect(isSecretName(n), n).toBe(true);
    }
    for (const n of ['POSTGRES_USER', 'POSTGRES_DB', 'PHX_HOST', 'DATABASE_URL', 'EMBED_MODEL']) {
      expect(isSecretName(n), n).toBe(false);
    }
  });

  it('reads the decoded password of a URL and nothing from URLs without one', () => {
    expect(passwordOfUrl('postgres://u:p%40ss%2Fw@h:5432/db')).toBe('p@ss/w');
    expect(passwordOfUrl('postgres://u@h/db')).toBeUndefined();
    expect(passwordOfUrl('not a url')).toBeUndefined();
  });
});

describe('SecretSet encoded forms', () => {
  const pw = `it's "q$x\\y`;
  const set = new SecretSet().add(pw);
  it.each([
    ['as written', `password ${pw} rejected`],
    [
      'SQL-quoted, as Postgres echoes a statement',
      `ERROR: ALTER ROLE x PASSWORD '${pw.replace(/'/g, "''")}'`,
    ],
    ['JSON-escaped, as in a JSON log line', JSON.stringify({ message: `pw=${pw}` })],
    ['URL-encoded', `postgres://u:${encodeURIComponent(pw)}@db/engram`],
    ['backslash-escaped', `PGPASSWORD=${pw.replace(/[\\"'$`]/g, '\\$&')}`],
  ])('redacts it %s', (_how, text) => {
    expect(set.redact(text)).not.toContain('q$x');
    expect(set.redact(text)).toContain('[redacted]');
  });

  it('redacts a short secret where it stands alone, not inside other words', () => {
    const short = new SecretSet().add('ab');
    expect(short.redact('password ab was refused; about the table')).toBe(
      'password [redacted] was refused; about the table',
    );
    expect(short.redact("PASSWORD 'ab'")).toBe("PASSWORD '[redacted]'");
  });
});
