#!/bin/sh
# Starts one Hookstream service: the first argument, else $HOOKSTREAM_SERVICE.
# `exec` makes node the container's main process, so SIGTERM reaches its graceful shutdown.
set -eu
HOOKSTREAM_HOME=${HOOKSTREAM_HOME:-/app}
service=${HOOKSTREAM_SERVICE:-}
if [ $# -gt 0 ]; then
  service=$1
  shift
fi
case "$service" in
  ingress | router | workspace-worker | dlq-manager)
    exec node "$HOOKSTREAM_HOME/dist/services/$service/src/main.js" "$@" ;;
  provision)
    exec node "$HOOKSTREAM_HOME/dist/scripts/provision.js" "$@" ;;
  rotate-key)
    exec node "$HOOKSTREAM_HOME/dist/scripts/secrets-rotate-key.js" "$@" ;;
  *)
    echo "hookstream: unknown service '${service}'; set HOOKSTREAM_SERVICE or pass one of: ingress, router, workspace-worker, dlq-manager, provision, rotate-key" >&2
    exit 64 ;;
esac
