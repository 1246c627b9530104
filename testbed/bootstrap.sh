#!/usr/bin/env bash
# Makes the machine-level parts of the test bed available: a Docker engine, Compose v2 and a
# registry on loopback. Idempotent: every step first checks whether its result is already there.
# Images are built afterwards by testbed/build-images.ts (run by `npm run testbed`).
set -euo pipefail
# dockerd and friends live in sbin; a minimal PATH would make the engine look missing.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REGISTRY_ADDR="${ENGRAM_UPGRADE_REGISTRY:-127.0.0.1:5000}"
STATE_DIR="${ENGRAM_UPGRADE_TESTBED_DIR:-/var/lib/engram-upgrade-testbed}"
APT_UPDATED=0

log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null; }

APT_INSTALL=(apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
}

# Debian 13 as a low-priority extra source, so only what we ask for comes from it.
add_trixie_source() {
  [ -f /etc/apt/sources.list.d/engram-testbed-trixie.sources ] && return 0
  local mirror keyring
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  keyring=$(awk '/^Signed-By:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
  cat >/etc/apt/sources.list.d/engram-testbed-trixie.sources <<SRC
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: $keyring
SRC
  cat >/etc/apt/preferences.d/engram-testbed-trixie <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  APT_UPDATED=0
}

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

ensure_engine() {
  if docker_answers; then log "docker engine: answering"; return 0; fi
  if ! command -v dockerd >/dev/null; then
    is_root && is_debian || die "no Docker engine answers and this is not a Debian machine run as root; start Docker yourself and run again"
    log "docker engine: installing Debian 13's docker.io"
    add_trixie_source
    apt_update_once
    DEBIAN_FRONTEND=noninteractive "${APT_INSTALL[@]}" -t trixie docker.io docker-compose >/dev/null
  fi
  if ! command -v docker >/dev/null; then
    # Debian 13 splits the client out of docker.io.
    is_root && is_debian || die "dockerd is installed but there is no docker client on PATH"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive "${APT_INSTALL[@]}" -t trixie docker-cli >/dev/null
  fi
  log "docker engine: starting dockerd (log: /var/log/dockerd.log)"
  # A short seccomp deny list of the bed's own instead of Docker's default: a `docker exec` costs much
  # less CPU with it (why and how much: README.md). An engine that is already running is left as it is.
  setsid nohup dockerd --seccomp-profile "$HERE/engine-seccomp.json" >/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker_answers && { log "docker engine: up"; return 0; }
    sleep 1
  done
  tail -n 20 /var/log/dockerd.log >&2 || true
  die "dockerd did not answer within 60 s"
}

ensure_compose() {
  if docker compose version >/dev/null 2>&1; then log "compose: $(docker compose version --short)"; return 0; fi
  is_root && is_debian || die "docker compose v2 is missing; install the compose plugin and run again"
  log "compose: installing Debian 13's docker-compose (v2)"
  add_trixie_source
  apt_update_once
  DEBIAN_FRONTEND=noninteractive "${APT_INSTALL[@]}" -t trixie docker-compose >/dev/null
  docker compose version >/dev/null 2>&1 || die "docker compose still not usable after install"
}

ensure_tool() { # ensure_tool <command> <debian package>
  command -v "$1" >/dev/null && return 0
  is_root && is_debian || die "$1 is missing; install $2 and run again"
  log "installing $2"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive "${APT_INSTALL[@]}" "$2" >/dev/null
}

registry_answers() { curl -fsS --max-time 5 -o /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

ensure_registry() {
  if registry_answers; then log "registry: answering on $REGISTRY_ADDR"; return 0; fi
  ensure_tool docker-registry docker-registry
  # The package's own service (init script) would listen on all interfaces; ours listens on loopback.
  if [ -x /etc/init.d/docker-registry ]; then /etc/init.d/docker-registry stop >/dev/null 2>&1 || true; fi
  mkdir -p "$STATE_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
CFG
  # The Debian package may have started its own service on :5000 via systemd; without systemd it did not.
  log "registry: starting on $REGISTRY_ADDR (storage $STATE_DIR/registry)"
  setsid nohup docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/registry.pid"
  for _ in $(seq 1 30); do
    if ! kill -0 "$(cat "$STATE_DIR/registry.pid")" 2>/dev/null; then
      tail -n 20 "$STATE_DIR/registry.log" >&2 || true
      die "the registry exited at start (is $REGISTRY_ADDR taken by another program?)"
    fi
    registry_answers && return 0
    sleep 0.5
  done
  tail -n 20 "$STATE_DIR/registry.log" >&2 || true
  die "registry did not answer on $REGISTRY_ADDR"
}

# One shared base for every test image: Postgres 15 server and client, plus what the Engram
# stand-in needs (python3 with psycopg2, curl for compose healthchecks, openssl like the real image).
# A second, Debian 13 base carries Postgres 17: a server newer than this host's pg_dump 15.
# A third, Debian unstable (sid, the only suite with postgresql-18), carries Postgres 18: what
# Engram's own compose file runs, and the harness's default.
BOOKWORM_PACKAGES="postgresql-15,postgresql-client-15,python3,python3-psycopg2,curl,ca-certificates,openssl,procps,gzip"
TRIXIE_PACKAGES="postgresql-17,postgresql-client-17,ca-certificates,procps,gzip"
SID_PACKAGES="postgresql-18,postgresql-client-18,ca-certificates,procps,gzip"
BASE_REPO="engram-upgrade-testbed/base"

ensure_base_image() { # ensure_base_image <suite> <packages> <alias tag>
  local suite=$1 packages=$2 alias=$3 hash tag mirror dir
  hash=$(printf '%s\n%s\n' "$packages" "$suite-minbase-v1" | sha256sum | cut -c1-12)
  tag="$BASE_REPO:$suite-$hash"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    log "base image: $tag present"
  else
    ensure_tool debootstrap debootstrap
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    dir=$(mktemp -d /var/tmp/engram-testbed-base.XXXXXX)
    # An interrupted run must not leave a 600 MB root file system behind.
    trap 'rm -rf "$dir"' EXIT
    log "base image: debootstrap $suite into $dir (about a minute)"
    debootstrap --variant=minbase --include="$packages" "$suite" "$dir" "$mirror" >"$STATE_DIR/debootstrap-$suite.log" 2>&1 \
      || { tail -n 30 "$STATE_DIR/debootstrap-$suite.log" >&2; rm -rf "$dir"; die "debootstrap $suite failed (log: $STATE_DIR/debootstrap-$suite.log)"; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$tag" >/dev/null
    rm -rf "$dir"
    trap - EXIT
    log "base image: $tag imported"
  fi
  docker tag "$tag" "$BASE_REPO:$alias"
}

ensure_tool curl curl
ensure_tool tmux tmux # the CLI terminal test drives the command line in a real terminal
# The remote-engine tests: certificates for a second engine on TLS, and an sshd on a local port.
ensure_tool openssl openssl
ensure_tool ssh openssh-client
ensure_tool sshd openssh-server
mkdir -p "$STATE_DIR"
ensure_engine
ensure_compose
ensure_registry
ensure_base_image bookworm "$BOOKWORM_PACKAGES" current
ensure_base_image trixie "$TRIXIE_PACKAGES" pg17
ensure_base_image sid "$SID_PACKAGES" pg18
log "machine parts ready"
