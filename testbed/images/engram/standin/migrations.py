"""Ecto.Migrator semantics over the .exs files shipped in this image.

- `schema_migrations(version bigint PK, inserted_at timestamp(0))`;
- each migration is committed on its own (in one transaction unless @disable_ddl_transaction);
- `down, to: V` reverts every applied version >= V, highest first (inclusive);
- only files present in this image are known; applied versions without a file are ignored."""
import glob
import os
import re
import time

import psycopg2

from log import migrator
from repo import RepoError

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS_DIR = os.path.join(os.path.dirname(HERE), "priv", "repo", "migrations")

_STR = r'"((?:[^"\\]|\\.)*)"'


def _unescape(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


class Migration:
    def __init__(self, path):
        self.path = path
        name = os.path.basename(path)
        self.version = int(name.split("_", 1)[0])
        self.slug = name.split("_", 1)[1][:-len(".exs")]
        with open(path, encoding="utf-8") as fh:
            self.source = fh.read()
        self.module = re.search(r"defmodule\s+(\S+)\s+do", self.source).group(1)
        self.irreversible_marker = self.source.lstrip().startswith("# rollback-irreversible")
        self.ddl_transaction = "@disable_ddl_transaction true" not in self.source
        self.functions = {}
        for fn, body in re.findall(r"\n  def (up|down|change) do\n(.*?)\n  end\n", self.source, re.S):
            self.functions[fn] = body

    def steps(self, direction):
        """(function label, [("sql", statement) | ("raise", message)])"""
        if "change" in self.functions:
            pairs = re.findall(r"execute\(\s*" + _STR + r"\s*,\s*" + _STR + r"\s*\)", self.functions["change"])
            if direction == "up":
                return "change/0 forward", [("sql", _unescape(u)) for u, _ in pairs]
            return "change/0 backward", [("sql", _unescape(d)) for _, d in reversed(pairs)]
        body = self.functions.get(direction)
        if body is None:
            return direction + "/0", [("raise", "Ecto.MigrationError: %s.%s/0 is not defined" % (self.module, direction))]
        out = []
        for kind, text in re.findall(r"(execute|raise)\(?\s*" + _STR, body):
            out.append(("sql" if kind == "execute" else "raise", _unescape(text)))
        return direction + "/0", out


def known():
    files = sorted(glob.glob(os.path.join(MIGRATIONS_DIR, "*.exs")))
    return [Migration(p) for p in files]


def inspect_string(text):
    """A string as Elixir's inspect/1 prints it."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"%s"' % out.replace("#{", "\\#{")


def table_exists(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
        return cur.fetchone()[0]


def ensure_table(conn):
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" bigint, '
                    '"inserted_at" timestamp(0), PRIMARY KEY ("version"))')


def applied(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [r[0] for r in cur.fetchall()]


class MigrationFailed(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def _lock(conn):
    """Like ecto_sql's :table_lock: one migrator at a time, held for the whole run."""
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute('LOCK TABLE "schema_migrations" IN SHARE UPDATE EXCLUSIVE MODE')


def _run_one(conn, migration, direction, fail_at, delay_ms):
    label, steps = migration.steps(direction)
    suffix = ""
    if label.startswith("change/0 "):
        label, suffix = label.split(" ", 1)
        suffix = " " + suffix
    migrator("== Running %d %s.%s%s" % (migration.version, migration.module, label, suffix))
    started = time.monotonic()
    conn.autocommit = not migration.ddl_transaction
    try:
        with conn.cursor() as cur:
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
            if fail_at == migration.version and direction == "up":
                raise MigrationFailed("Postgrex.Error", "ERROR P0001 (raise_exception) injected failure at migration %d" % migration.version)
            for kind, text in steps:
                if kind == "raise":
                    raise MigrationFailed("RuntimeError", text)
                migrator("execute " + inspect_string(text))
                try:
                    cur.execute(text)
                except psycopg2.Error as err:
                    raise MigrationFailed("Postgrex.Error", str(RepoError(err)))
            if direction == "up":
                cur.execute("INSERT INTO schema_migrations (version, inserted_at) VALUES (%s, (now() AT TIME ZONE 'utc'))",
                            (migration.version,))
            else:
                cur.execute("DELETE FROM schema_migrations WHERE version = %s", (migration.version,))
        if not conn.autocommit:
            conn.commit()
    except BaseException:
        if not conn.autocommit:
            conn.rollback()
        raise
    # Ecto truncates to tenths: div(microseconds, 100_000) / 10.
    migrator("== Migrated %d in %.1fs" % (migration.version, int((time.monotonic() - started) * 10) / 10.0))


class SchemaTooOld(Exception):
    pass


def migrate(conn, lock_conn, fail_at=None, delay_ms=0, requires=None):
    """`requires`: {version, message} — a migration an existing database must already have (the
    release dropped the files that lead up to it, so it can only be reached through an earlier one)."""
    ensure_table(conn)
    _lock(lock_conn)
    try:
        done = set(applied(conn))
        if requires and done and int(requires["version"]) not in done:
            raise MigrationFailed("RuntimeError", requires["message"])
        pending = [m for m in known() if m.version not in done]
        if not pending:
            migrator("Migrations already up", mfa="Ecto.Migrator.run/4")
        for m in pending:
            _run_one(conn, m, "up", fail_at, delay_ms)
    finally:
        lock_conn.rollback()


def rollback(conn, lock_conn, to_version, delay_ms=0):
    ensure_table(conn)
    _lock(lock_conn)
    try:
        done = set(applied(conn))
        targets = [m for m in reversed(known()) if m.version in done and m.version >= to_version]
        if not targets:
            migrator("Migrations already down", mfa="Ecto.Migrator.run/4")
        for m in targets:
            _run_one(conn, m, "down", None, delay_ms)
    finally:
        lock_conn.rollback()
