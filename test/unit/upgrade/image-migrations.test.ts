import { describe, expect, it } from 'vitest';
import type { DockerPort } from '../../../src/docker/docker-port';
import { UpgradeError } from '../../../src/errors';
import { readImageMigrations } from '../../../src/upgrade/image-migrations';

const ID = `sha256:${'ab'.repeat(32)}`;
const MIGRATION =
  'defmodule Engram.Repo.Migrations.AddX do\n  use Ecto.Migration\n  # phase: expand\n  def change do\n    alter table(:notes) do\n      add :x, :text\n    end\n  end\nend\n';

/** A port that serves one release's files and counts how often it was asked. */
function countingPort(failFirst = false) {
  const asked: string[] = [];
  const port = {
    readImageFiles: async (image: string, path: string) => {
      asked.push(`${image} ${path}`);
      if (failFirst && asked.length === 1) {
        throw new UpgradeError('DOCKER_OPERATION', { message: 'the engine did not answer' });
      }
      if (path.endsWith('start_erl.data')) return [{ name: 'start_erl.data', content: '15.2 0.16.0\n' }];
      return [{ name: 'migrations/20260101000000_add_x.exs', content: MIGRATION }];
    },
  } as unknown as DockerPort;
  return { port, asked };
}

describe('readImageMigrations', () => {
  it('reads an image given by id once per Docker port', async () => {
    const { port, asked } = countingPort();
    const first = await readImageMigrations(port, ID);
    const second = await readImageMigrations(port, ID);
    expect(second).toBe(first);
    expect(first.releaseVersion).toBe('0.16.0');
    expect(first.migrations.map((m) => m.version)).toEqual(['20260101000000']);
    expect(asked).toHaveLength(2); // start_erl.data and the migrations directory, once

    const other = countingPort();
    await readImageMigrations(other.port, ID);
    expect(other.asked).toHaveLength(2); // another port reads for itself
  });

  it('reads a tag every time: it can point at another image next time', async () => {
    const { port, asked } = countingPort();
    await readImageMigrations(port, 'registry.example/engram:0.16.0');
    await readImageMigrations(port, 'registry.example/engram:0.16.0');
    expect(asked).toHaveLength(4);
  });

  it('does not keep a failed read: the next call reads again', async () => {
    const { port, asked } = countingPort(true);
    await expect(readImageMigrations(port, ID)).rejects.toMatchObject({ code: 'DOCKER_OPERATION' });
    await expect(readImageMigrations(port, ID)).resolves.toMatchObject({ releaseVersion: '0.16.0' });
    expect(asked).toHaveLength(3);
  });
});
