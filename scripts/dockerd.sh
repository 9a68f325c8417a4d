#!/usr/bin/env bash
# A private Docker engine for the sandbox tests (see shared/spec/container-engine.md).
#
#   scripts/dockerd.sh start   install Debian's docker.io when dockerd is missing, start dockerd on a
#                              private socket under the temp dir (no bridge, no iptables, no NAT), wait
#                              until it answers, import the test image under every flavor image name;
#                              the last line printed is DOCKER_HOST=unix://... (idempotent)
#   scripts/dockerd.sh stop    stop the dockerd this script started (by its PID) and wait until it is gone
#   scripts/dockerd.sh env     print DOCKER_HOST=... when the engine answers, else exit 1
#
# No registry is reached: the test image is a busybox-static rootfs imported from a tar. Containers
# must run with network_mode "none" (the engine has no bridge network at all).
#
# Environment: AGENTPOD_ENGINE_DIR (default $TMPDIR/agentpod-engine), SANDBOX_IMAGE_NAME_PREFIX
# (default codeopen), SANDBOX_IMAGE_TAG / OPENCODE_CONTAINER_VERSION (default 0.4.0),
# ENGINE_EXTRA_IMAGES (space-separated extra names to tag, e.g. registry/owner/codeopen-js:1.0).
set -euo pipefail

ENGINE_DIR=${AGENTPOD_ENGINE_DIR:-${TMPDIR:-/tmp}/agentpod-engine}
SOCK="$ENGINE_DIR/docker.sock"
PIDFILE="$ENGINE_DIR/dockerd.pid"
BASE_IMAGE="agentpod-test/busybox:latest"
PREFIX=${SANDBOX_IMAGE_NAME_PREFIX:-codeopen}
TAG=${SANDBOX_IMAGE_TAG:-${OPENCODE_CONTAINER_VERSION:-0.4.0}}
FLAVORS="js python go rust fullstack polyglot"

ping_engine() { curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

api() {  # api METHOD PATH [curl args...]
  local method=$1 path=$2; shift 2
  curl -sf --max-time 60 --unix-socket "$SOCK" -X "$method" "$@" "http://d$path"
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

install_packages() {
  if command -v dockerd >/dev/null 2>&1 && [ -x /bin/busybox ]; then return; fi
  if [ "$(id -u)" != 0 ]; then echo "dockerd or busybox-static is missing and this is not root" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io busybox-static curl >/dev/null
}

start_engine() {
  mkdir -p "$ENGINE_DIR"
  if ping_engine; then return; fi
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "dockerd (PID $(cat "$PIDFILE")) runs but does not answer on $SOCK" >&2; exit 1
  fi
  rm -f "$PIDFILE" "$SOCK"
  setsid /usr/sbin/dockerd --host "unix://$SOCK" --data-root "$ENGINE_DIR/data" \
    --exec-root "$ENGINE_DIR/exec" --pidfile "$PIDFILE" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    >"$ENGINE_DIR/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do ping_engine && break; sleep 0.25; done
  if ! ping_engine; then
    echo "dockerd did not answer on $SOCK within 30 s; last log lines:" >&2
    tail -30 "$ENGINE_DIR/dockerd.log" >&2
    exit 1
  fi
}

import_base_image() {
  if api GET "/images/$(urlencode "$BASE_IMAGE")/json" >/dev/null 2>&1; then return; fi
  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,tmp,etc,proc,sys,dev,root,workspace}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  # The image's own command logs one line and then waits; SIGTERM (through init) ends it at once.
  local changes
  changes=$(urlencode 'CMD ["/bin/sh", "-c", "echo Container started. Waiting...; exec tail -f /dev/null"]')
  tar -C "$rootfs" -c . | api POST "/images/create?fromSrc=-&repo=${BASE_IMAGE%:*}&tag=${BASE_IMAGE##*:}&changes=$changes" \
    -H 'Content-Type: application/x-tar' --data-binary @- >/dev/null
  rm -rf "$rootfs"
}

tag_image() {  # tag_image NAME:TAG (the name may hold a registry and owner)
  local ref=$1 repo tag
  repo=${ref%:*}; tag=${ref##*:}
  api POST "/images/$(urlencode "$BASE_IMAGE")/tag?repo=$(urlencode "$repo")&tag=$(urlencode "$tag")" >/dev/null
}

case "${1:-}" in
  start)
    install_packages
    start_engine
    import_base_image
    for flavor in $FLAVORS; do tag_image "$PREFIX-$flavor:$TAG"; done
    for extra in ${ENGINE_EXTRA_IMAGES:-}; do tag_image "$extra"; done
    echo "DOCKER_HOST=unix://$SOCK"
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      pid=$(cat "$PIDFILE")
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
      fi
      rm -f "$PIDFILE"
    fi
    # dockerd can leave its default netns mounted (container-engine.md).
    if mountpoint -q "$ENGINE_DIR/exec/netns/default" 2>/dev/null; then umount "$ENGINE_DIR/exec/netns/default" || true; fi
    ;;
  env)
    ping_engine || exit 1
    echo "DOCKER_HOST=unix://$SOCK"
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
