import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { inspect } from 'node:util';
import { InvalidInputError, UpgradeError } from '../errors';
import { requireAbsolutePath } from './absolute-path';
import {
  keyBytesOf,
  MAX_KEY_BYTES,
  MIN_KEY_BYTES,
  type SigningKeyRef,
  signingKeyId,
} from './manifest-signature';

/**
 * Where the key that signs and checks backup manifests comes from: a file only its owner can read, or
 * an environment variable of this process. Pass the place, never the key: plans record the place and
 * the key id, and an executor reads the key again from there.
 */
export type SigningKeySource =
  | {
      /** Absolute path of a regular file, owned by this user or root, not readable or writable by group or others. */
      file: string;
      env?: undefined;
    }
  | {
      /** Name of an environment variable of this process that holds the key. */
      env: string;
      file?: undefined;
    };

/**
 * A loaded key. The bytes stay inside: JSON, `String()` and `util.inspect` show only where the key
 * came from and its id, so a key logged or stored by mistake reveals nothing.
 */
export class SigningKey {
  readonly #bytes: Buffer;
  constructor(
    readonly ref: SigningKeyRef,
    bytes: Buffer,
  ) {
    this.#bytes = bytes;
  }
  /** The key itself, for signing and checking only. */
  bytes(): Buffer {
    return this.#bytes;
  }
  get keyId(): string {
    return this.ref.keyId;
  }
  /** How messages name it: the file or variable and the key id. */
  describe(): string {
    return `${this.ref.from === 'file' ? `key file ${this.ref.path}` : `variable ${this.ref.name}`} (key id ${this.ref.keyId})`;
  }
  toJSON(): SigningKeyRef {
    return this.ref;
  }
  toString(): string {
    return `SigningKey(${this.describe()})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

function unusable(where: string, why: string, hint: string): UpgradeError {
  return new UpgradeError('SIGNING_KEY_UNUSABLE', {
    message: `The signing key ${where} ${why}`,
    unchanged: 'No backup was read, written or restored; nothing was changed',
    hint,
  });
}

const MAKE_KEY = `Make one with: (umask 077; openssl rand -hex 32 > /path/to/key)`;

/** Reads and checks the key a source names. Every refusal names the file or variable, never the key. */
export async function loadSigningKey(
  source: SigningKeySource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SigningKey> {
  const s = source as { file?: unknown; env?: unknown } | null | undefined;
  if (s?.file !== undefined && s.env === undefined) {
    const path = requireAbsolutePath(s.file, 'Signing key file', 'Pass the absolute path of the key file');
    const bytes = await readKeyFile(path);
    return new SigningKey({ from: 'file', path, keyId: signingKeyId(bytes) }, bytes);
  }
  if (s?.env !== undefined && s.file === undefined) {
    if (typeof s.env !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(s.env)) {
      throw new InvalidInputError({
        // Not echoed: what was passed in place of a name may be the key itself.
        message: 'The signing key variable is not given as an environment variable name',
        hint: 'Pass the name of the variable (letters, digits and _, at most 128), not its value',
      });
    }
    const where = `variable ${s.env}`;
    const value = env[s.env];
    if (value === undefined || value === '') {
      throw unusable(where, 'is not set', `Export ${s.env} with the key first, or pass a key file instead`);
    }
    const bytes = checkedLength(keyBytesOf(Buffer.from(value, 'utf8')), where);
    return new SigningKey({ from: 'env', name: s.env, keyId: signingKeyId(bytes) }, bytes);
  }
  throw new InvalidInputError({
    message: 'A signing key source needs exactly one of file or env',
    hint: "Pass { file: '/path/to/key' } or { env: 'VARIABLE_NAME' }",
  });
}

/** The place a plan's reference names, to load the key from again. */
export function signingKeySourceOf(ref: SigningKeyRef): SigningKeySource {
  return ref.from === 'file' ? { file: ref.path } : { env: ref.name };
}

/**
 * Reads the key a plan recorded, from the same place, and refuses it unless it is the same key (same
 * id): a plan is carried out with the key it was reviewed with. No reference gives no key.
 */
export async function reloadSigningKey(
  ref: SigningKeyRef | null | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SigningKey | undefined> {
  if (!ref) return undefined;
  const key = await loadSigningKey(signingKeySourceOf(ref), env);
  if (key.keyId !== ref.keyId) {
    throw unusable(
      ref.from === 'file' ? `file ${ref.path}` : `variable ${ref.name}`,
      `now holds another key (key id ${key.keyId}) than the plan was made with (key id ${ref.keyId})`,
      'Put the original key back, or make a new plan with the key you mean to use',
    );
  }
  return key;
}

async function readKeyFile(path: string): Promise<Buffer> {
  const where = `file ${path}`;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // A link is followed (secret mounts are often links); what it leads to must pass the checks below.
    // O_NONBLOCK: a FIFO put in its place does not hang the open.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw unusable(
      where,
      code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code})`,
      code === 'ENOENT' ? MAKE_KEY : 'Check the path and its permissions',
    );
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw unusable(where, 'is not a regular file', 'Point to the file that holds the key');
    const me = process.getuid?.() ?? -1;
    if (me >= 0 && st.uid !== me && st.uid !== 0) {
      throw unusable(
        where,
        `is owned by uid ${st.uid}, not by this user (${me}) or root, so another user could replace the key`,
        `chown it to this user, or use a key file you own`,
      );
    }
    if (st.mode & 0o066) {
      throw unusable(
        where,
        `can be read or written by its group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`,
        `Restrict it: chmod 600 ${path}`,
      );
    }
    if (st.size === 0) throw unusable(where, 'is empty', MAKE_KEY);
    if (st.size > MAX_KEY_BYTES) {
      throw unusable(where, `is larger than ${MAX_KEY_BYTES} bytes, so it is not a key file`, MAKE_KEY);
    }
    const raw = Buffer.alloc(MAX_KEY_BYTES + 1);
    const { bytesRead } = await fh.read(raw, 0, raw.length, 0);
    return checkedLength(keyBytesOf(raw.subarray(0, bytesRead)), where);
  } finally {
    await fh.close();
  }
}

function checkedLength(bytes: Buffer, where: string): Buffer {
  if (bytes.length < MIN_KEY_BYTES) {
    throw unusable(
      where,
      bytes.length === 0
        ? 'holds only line breaks'
        : `is shorter than ${MIN_KEY_BYTES} bytes, too short to sign backups`,
      MAKE_KEY,
    );
  }
  if (bytes.length > MAX_KEY_BYTES) {
    throw unusable(where, `is longer than ${MAX_KEY_BYTES} bytes`, MAKE_KEY);
  }
  return bytes;
}
