#!/usr/bin/env bash
# What the tests need beyond npm packages, from Debian's packages, installed only when missing (npm test and .ci/run
# both call this): promtool (the deploy tests check the shipped Prometheus rules) and Chromium (the web console's
# browser tests drive it through playwright-core, which downloads no browser).
set -euo pipefail
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "[test-prereqs] missing Debian packages: ${missing[*]} (install them: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "[test-prereqs] installing ${missing[*]} (Debian packages)"
# Install only: no service (prometheus) is started.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
