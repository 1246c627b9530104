import { readdirSync, readFileSync } from 'node:fs';
import { analyzeMigration, type MigrationAnalysis } from '../../../src/migrations';

const DIR = new URL('./fixtures/', import.meta.url);

/** The fixture migration files, by file name. */
export const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.exs'));

export function fixtureSource(filename: string): string {
  return readFileSync(new URL(filename, DIR), 'utf8');
}

export function analyzeFixture(filename: string): MigrationAnalysis {
  return analyzeMigration(fixtureSource(filename), { filename });
}

/** A minimal migration module around `body` (the lines inside `defmodule … do`). */
export function migrationModule(body: string, name = 'Example'): string {
  return `defmodule Engram.Repo.Migrations.${name} do\n  use Ecto.Migration\n\n${body}\nend\n`;
}
