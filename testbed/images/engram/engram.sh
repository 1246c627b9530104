#!/bin/sh
# /app/bin/engram of the stand-in. Like the release script it warns on stderr when no CPU quota can be
# read and BEAM_SCHEDULERS is unset, then hands over to the release (here: the stand-in program).
if [ -z "${BEAM_SCHEDULERS:-}" ] && [ ! -r /sys/fs/cgroup/cpu.max ] && [ ! -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
  echo "rel/env.sh: WARNING no CPU quota readable; using all online schedulers (set BEAM_SCHEDULERS to override)" >&2
elif [ -z "${BEAM_SCHEDULERS:-}" ]; then
  quota=$(cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null)
  case "$quota" in
    max*|-1) echo "rel/env.sh: WARNING no CPU quota readable; using all online schedulers (set BEAM_SCHEDULERS to override)" >&2 ;;
  esac
fi
read -r _erts vsn < /app/releases/start_erl.data
exec python3 -B /app/lib/engram-"$vsn"/standin/engram.py "$@"
