import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { EndpointTls } from './docker-endpoint';
import { endpointError } from './endpoint-error';

/** The TLS material a client presents; held in memory only, never printed. */
export interface TlsMaterial {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Reads the CA, and the client certificate and key when both are there, as the docker CLI does: the CA
 * is required, a missing certificate-and-key pair means no client certificate, half a pair is an error.
 * The pair is loaded once here so a wrong or mismatched file is named before any connection is tried.
 * Errors name files and reasons, never their contents.
 *
 * @throws UpgradeError `DOCKER_ENDPOINT`
 */
export function loadTls(tls: EndpointTls): TlsMaterial {
  const ca = read(tls.caFile, 'CA certificate');
  if (ca === undefined) {
    throw endpointError(
      `TLS to the Docker engine needs a CA certificate, and ${tls.caFile} does not exist`,
      `Put the engine's CA certificate in ${tls.dir} as ca.pem, or point DOCKER_CERT_PATH at the directory that holds ca.pem, cert.pem and key.pem`,
    );
  }
  const cert = read(tls.certFile, 'client certificate');
  const key = read(tls.keyFile, 'client key');
  if ((cert === undefined) !== (key === undefined)) {
    const [has, lacks] = cert ? [tls.certFile, tls.keyFile] : [tls.keyFile, tls.certFile];
    throw endpointError(
      `The Docker TLS directory has ${has} but not ${lacks}; a client certificate needs both`,
      `Put both cert.pem and key.pem in ${tls.dir}, or neither`,
    );
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(ca.toString('latin1'))) {
    throw notPem(tls.caFile, 'a PEM certificate', tls.dir);
  }
  if (cert && !/-----BEGIN CERTIFICATE-----/.test(cert.toString('latin1'))) {
    throw notPem(tls.certFile, 'a PEM certificate', tls.dir);
  }
  if (key && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    throw notPem(tls.keyFile, 'a PEM private key', tls.dir);
  }
  try {
    createSecureContext({ ca, ...(cert && key ? { cert, key } : {}) });
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch") names no key material; the error object is kept
    // out of the cause so nothing but that reason travels.
    const reason = String((err as Error).message ?? err).slice(0, 200);
    throw endpointError(
      `The Docker TLS files in ${tls.dir} could not be loaded: ${reason}`,
      'Check that cert.pem and key.pem belong together and that each file is the one its name says',
    );
  }
  return { ca, ...(cert && key ? { cert, key } : {}) };
}

function read(file: string, what: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw endpointError(
      `The ${what} ${file} could not be read (${code ?? 'unknown error'})`,
      'Check that this user may read the file and that it is a regular file',
    );
  }
}

function notPem(file: string, what: string, dir: string): Error {
  return endpointError(
    `${file} is not ${what}`,
    `Put the right PEM files in ${dir}: ca.pem (the engine's CA), cert.pem and key.pem (this client's)`,
  );
}
