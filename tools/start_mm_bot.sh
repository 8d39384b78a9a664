#!/bin/sh
# The start script (README, "Deploy and stop (Docker)"): builds and starts the engine and
# Redis with docker compose (docker-compose.mm.yml).
#
#   tools/start_mm_bot.sh [shadow|live]              (default shadow)
#   MM_SHADOW_MODE=false tools/start_mm_bot.sh       live
#
# Live mode starts only after "CONFIRM LIVE" is typed on the terminal; credentials come from the
# environment (HL_ADDRESS, HL_PRIVATE_KEY), e.g. `set -a; . ./.env; set +a` first.
set -eu
cd -- "$(dirname -- "$0")/.."
case "${MM_SHADOW_MODE:-true}" in
  false | 0 | no | off) default=live ;;
  *) default=shadow ;;
esac
mode=${1:-$default}
# Builds and starts the stack: compose v2 (the docker plugin), else the older docker-compose.
up() {
  if docker compose version >/dev/null 2>&1; then
    exec docker compose -f docker-compose.mm.yml up -d --build
  fi
  exec docker-compose -f docker-compose.mm.yml up -d --build
}
case "$mode" in
  shadow)
    export MM_MODE=shadow MM_SHADOW_MODE=true
    up
    ;;
  live)
    if [ ! -t 0 ]; then
      echo "start_mm_bot.sh: live mode needs a terminal to type CONFIRM LIVE" >&2
      exit 2
    fi
    printf '%s' 'LIVE: real orders with real money. Type "CONFIRM LIVE" to start: '
    read -r answer
    if [ "$answer" != "CONFIRM LIVE" ]; then
      echo "start_mm_bot.sh: live start not confirmed; nothing was started" >&2
      exit 1
    fi
    export MM_MODE=live MM_SHADOW_MODE=false
    up
    ;;
  *)
    echo "start_mm_bot.sh: mode \"$mode\" is not shadow or live" >&2
    exit 2
    ;;
esac
