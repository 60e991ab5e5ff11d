#!/usr/bin/env bash
# Makes sure the system programs the local stack needs are installed: Debian's redis-server, and
# (with "chromium") Debian's Chromium for the Playwright tests. Installs them with apt-get when it
# is usable (root, or password-less sudo); otherwise stops with one line saying what to run.
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(redis)

missing=()
for name in "${want[@]}"; do
  case "$name" in
    redis) command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    *) echo "ensure-system-packages: unknown package group '$name'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo -n apt-get)
else
  apt=()
fi
if [ ${#apt[@]} -eq 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing ${missing[*]}: install it with \`sudo apt-get install -y ${missing[*]}\` and run the command again." >&2
  exit 1
fi

echo "Installing ${missing[*]} from Debian's packages…"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
