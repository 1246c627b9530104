"""Log output shaped like the release: LoggerJSON's Basic formatter (one JSON object a line) by default,
the dev text format when ENGRAM_STANDIN_LOG_FORMAT=text. Crash output is plain text on stderr, as the
Elixir CLI prints it."""
import datetime
import json
import os
import sys

TEXT = os.environ.get("ENGRAM_STANDIN_LOG_FORMAT", "json") == "text"


def _now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def log(severity, message, **metadata):
    if TEXT:
        t = datetime.datetime.now(datetime.timezone.utc)
        line = "%s.%03d [%s] %s" % (t.strftime("%H:%M:%S"), t.microsecond // 1000, severity, message)
    else:
        md = {"domain": ["elixir"]}
        md.update(metadata)
        line = json.dumps({"time": _now(), "severity": severity, "message": message, "metadata": md},
                          ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def migrator(message, mfa="Ecto.Migration.Runner.log/2"):
    log("info", message, application="ecto_sql", mfa=mfa)


def crash(kind, message, frames):
    """What an uncaught exception in `bin/engram eval` prints: `** (Kind) message` and a stacktrace."""
    out = ["** (%s) %s" % (kind, message)]
    out += ["    " + f for f in frames]
    sys.stderr.write("\n".join(out) + "\n")
    sys.stderr.flush()


def plain(text, stream=None):
    (stream or sys.stdout).write(text + "\n")
    (stream or sys.stdout).flush()
