import { describe, expect, it } from 'vitest';
import { postgresDataMount, postgresMajorOfTag } from '../../../src/testing/postgres-volume';

describe('where a stack mounts the Postgres volume', () => {
  it.each([
    ['postgres:18.4', '/var/lib/postgresql'],
    ['127.0.0.1:5000/library/postgres:18', '/var/lib/postgresql'],
    ['postgres:19beta1', '/var/lib/postgresql'],
    ['postgres:16-alpine', '/var/lib/postgresql/data'],
    ['127.0.0.1:5000/library/postgres:17', '/var/lib/postgresql/data'],
    ['127.0.0.1:5000/library/postgres:15', '/var/lib/postgresql/data'],
    ['postgres:9.6', '/var/lib/postgresql/data'],
  ])('%s → %s', (image, mount) => {
    expect(postgresDataMount(image)).toBe(mount);
  });

  it('follows the current layout when the tag names no major', () => {
    for (const image of [
      'postgres',
      'postgres:latest',
      'postgres:alpine',
      'registry.local:5000/postgres',
      `postgres@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(postgresMajorOfTag(image)).toBeUndefined();
      expect(postgresDataMount(image)).toBe('/var/lib/postgresql');
    }
  });

  it('reads the major from the tag, not from a registry port or a digest', () => {
    expect(postgresMajorOfTag('localhost:15/postgres:18.4')).toBe(18);
    expect(postgresMajorOfTag(`localhost:15/postgres:16@sha256:${'b'.repeat(64)}`)).toBe(16);
  });
});
