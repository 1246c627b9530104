"""Runtime configuration checks, as config/runtime.exs does them: a failure here fails every eval,
including migrations, before anything touches the database."""
import json
import os
import urllib.parse

from log import plain

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "release.json"), encoding="utf-8") as fh:
    RELEASE = json.load(fh)

ENUMS = {
    "STORAGE_BACKEND": ("database", "s3"),
    "AUTH_PROVIDER": ("local", "clerk"),
    "ENGRAM_DEFAULT_REGISTRATION_MODE": ("open", "invite_only", "closed"),
    "KEY_PROVIDER": ("local", "aws_kms"),
    "BACKGROUND_JOB_PRIORITY": ("low", "normal", "high"),
    "ENGRAM_LIMITS_ENFORCED": ("true", "false"),
}
INTEGERS = ("PORT", "EMBED_DIMS", "POOL_SIZE")


class ConfigError(Exception):
    pass


def _fail(message):
    plain("ERROR! Config provider Config.Reader failed with:", stream=__import__("sys").stderr)
    raise ConfigError(message)


def load():
    """Returns the effective config or raises ConfigError with the runtime.exs-style message."""
    env = os.environ
    # `System.get_env(name) || raise`: only an unset variable is missing; an empty one is a value.
    for name in ["DATABASE_URL", "SECRET_KEY_BASE", "JWT_SECRET"] + RELEASE.get("requiredEnv", []):
        if name not in env:
            _fail("environment variable %s is missing." % name)
    for name, allowed in ENUMS.items():
        value = env.get(name)
        if value is not None and value not in allowed:
            _fail("invalid %s: %r (expected one of %s)" % (name, value, ", ".join(allowed)))
    for name in INTEGERS:
        value = env.get(name)
        if value is not None:
            try:
                int(value)
            except ValueError:
                _fail("invalid %s: %r is not an integer" % (name, value))
    if env.get("RERANKER_BACKEND") == "jina" and not env.get("JINA_URL"):
        _fail("environment variable JINA_URL is missing.")
    return {"database": parse_database_url(env["DATABASE_URL"]), "port": int(env.get("PORT", "4000"))}


def parse_database_url(url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("ecto", "postgres", "postgresql") or not parts.hostname:
        # Never echo the URL itself: it carries the password.
        _fail("DATABASE_URL is not a valid database URL (expected ecto://USER:PASS@HOST/DATABASE)")
    return {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or ""),
        "password": urllib.parse.unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/") or "postgres",
    }
