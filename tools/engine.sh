#!/bin/sh
# The one program the watchdog and load-live may start: an engine mode or the venue simulator,
# each with its own permission set from deno.json. Their `run` permission names this script, not
# ./deno, so code running under them cannot start `./deno eval` (or any other Deno command, which
# would run with every permission) to read .env or files outside their declared paths.
#
#   tools/engine.sh shadow|demo [engine flags]    deno run -P=<mode> main.ts <mode> ...
#   tools/engine.sh live [engine flags]           deno run -P=deploy main.ts live --confirm-live ...
#   tools/engine.sh venue-sim [simulator flags]   deno run -P=venue-sim tools/venue_sim/main.ts ...
#
# Flags go to main.ts (or the simulator), which refuse any they do not know. The directory is the
# repository this script lives in, whatever the caller's: a deno.json planted elsewhere is not read.
set -e
cd -- "$(dirname -- "$0")/.."
mode=${1-}
[ $# -gt 0 ] && shift
case "$mode" in
  shadow | demo) exec ./deno run -P="$mode" main.ts "$mode" "$@" ;;
  live) exec ./deno run -P=deploy main.ts live --confirm-live "$@" ;;
  venue-sim) exec ./deno run -P=venue-sim tools/venue_sim/main.ts "$@" ;;
  *)
    echo "tools/engine.sh: \"$mode\" is not one of shadow, demo, live, venue-sim" >&2
    exit 2
    ;;
esac
