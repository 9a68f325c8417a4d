#!/usr/bin/env bash
# A real OpenCode server for the tests (see shared/spec/opencode.md): the pinned npm package, and an
# image of it for the test engine.
#
#   scripts/opencode.sh install   install the pinned `opencode-ai` npm package into a cache folder under
#                                 the temp dir (idempotent); the last line printed is the path of the
#                                 `opencode` binary
#   scripts/opencode.sh bin       print that path when it is installed and runs, else exit 1
#   scripts/opencode.sh image     install, then build and import `agentpod-test/opencode:<version>` into
#                                 the running test engine (scripts/dockerd.sh start) unless it is there;
#                                 the last line printed is the image name (idempotent)
#
# The image is a busybox-static root filesystem plus the `opencode` binary and the five glibc files it
# links against, imported from a tar: no registry is reached. Its command serves OpenCode in
# /home/developer/workspace on $OPENCODE_PORT (default 4096) and $OPENCODE_HOSTNAME (default 127.0.0.1,
# for containers on the host network; a container on a Docker network needs 0.0.0.0), with the offline
# variables that keep OpenCode from reaching the npm registry or models.dev. Pass
# OPENCODE_SERVER_PASSWORD (Basic auth, user `opencode`) and OPENCODE_CONFIG_CONTENT when running it.
#
# Environment: OPENCODE_NPM_VERSION (default below), AGENTPOD_OPENCODE_DIR (default
# $TMPDIR/agentpod-opencode), DOCKER_HOST (a unix:// socket; default the socket of scripts/dockerd.sh).
set -euo pipefail

VERSION=${OPENCODE_NPM_VERSION:-1.18.33}
CACHE_DIR=${AGENTPOD_OPENCODE_DIR:-${TMPDIR:-/tmp}/agentpod-opencode}
PREFIX="$CACHE_DIR/$VERSION"
IMAGE="agentpod-test/opencode:$VERSION"
ENGINE_DIR=${AGENTPOD_ENGINE_DIR:-${TMPDIR:-/tmp}/agentpod-engine}
SOCK="$ENGINE_DIR/docker.sock"
if [[ "${DOCKER_HOST:-}" == unix://* ]]; then SOCK=${DOCKER_HOST#unix://}; fi

# The platform package npm installs beside `opencode-ai` holds the real binary; the -baseline build is
# for x86-64 CPUs without AVX2 and is tried when the first one does not run.
candidates() {
  case "$(uname -m)" in
    x86_64) echo "opencode-linux-x64 opencode-linux-x64-baseline" ;;
    aarch64 | arm64) echo "opencode-linux-arm64" ;;
    *) echo "" ;;
  esac
}

runs() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null | tail -n 1)" = "$VERSION" ]; }

binary() {  # prints the path of a binary that runs and reports $VERSION, or fails
  # Running the binary costs about 2 s, so the one found to work is remembered in $PREFIX/BINARY.
  if [ -f "$PREFIX/BINARY" ] && [ -x "$(cat "$PREFIX/BINARY")" ]; then cat "$PREFIX/BINARY"; return 0; fi
  local package
  for package in $(candidates); do
    if runs "$PREFIX/node_modules/$package/bin/opencode"; then
      echo "$PREFIX/node_modules/$package/bin/opencode" | tee "$PREFIX/BINARY"; return 0
    fi
  done
  return 1
}

install_package() {
  local found
  if found=$(binary); then echo "$found"; return; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: install Node.js (npm) to get opencode-ai" >&2; exit 1
  fi
  mkdir -p "$CACHE_DIR"
  # Two test runs may install at once: one installs, the other waits and then finds it installed.
  exec 9>"$CACHE_DIR/install.lock"
  flock 9
  if ! binary >/dev/null; then
    local staging
    staging=$(mktemp -d "$CACHE_DIR/.install-XXXXXX")
    # --ignore-scripts: the package's postinstall only links the platform binary, which we use directly.
    if ! npm install --prefix "$staging" --no-audit --no-fund --no-save --ignore-scripts --loglevel=error \
        "opencode-ai@$VERSION" >&2; then
      rm -rf "$staging"; echo "npm install opencode-ai@$VERSION failed" >&2; exit 1
    fi
    rm -rf "$PREFIX"
    mv "$staging" "$PREFIX"
  fi
  flock -u 9
  binary || { echo "opencode-ai@$VERSION installed but no binary for $(uname -m) runs" >&2; exit 1; }
}

api() {  # api METHOD PATH [curl args...]
  local method=$1 path=$2; shift 2
  curl -sf --max-time 300 --unix-socket "$SOCK" -X "$method" "$@" "http://d$path"
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

image() {
  local bin
  bin=$(install_package | tail -n 1)
  if ! curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
    echo "no container engine answers on $SOCK (run scripts/dockerd.sh start)" >&2; exit 1
  fi
  if api GET "/images/$(urlencode "$IMAGE")/json" >/dev/null 2>&1; then echo "$IMAGE"; return; fi
  [ -x /bin/busybox ] || { echo "/bin/busybox (busybox-static) is missing" >&2; exit 1; }

  local rootfs
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,root,usr/local/bin,home/developer/workspace}
  install -d -m 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  cp "$bin" "$rootfs/usr/local/bin/opencode"
  # The binary links only against glibc (libc, libpthread, libdl, libm and the loader): copy each file
  # ldd names to the same path inside, following symlinks.
  local lib
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"

  local serve changes="" change
  serve='cd /home/developer/workspace && exec opencode serve --pure'
  serve="$serve --hostname \${OPENCODE_HOSTNAME:-127.0.0.1} --port \${OPENCODE_PORT:-4096}"
  for change in \
    'ENV PATH=/usr/local/bin:/bin' \
    'ENV HOME=/root' \
    'ENV OPENCODE_DISABLE_DEFAULT_PLUGINS=1' \
    'ENV OPENCODE_DISABLE_MODELS_FETCH=1' \
    'ENV OPENCODE_DISABLE_AUTOUPDATE=1' \
    'ENV OPENCODE_DISABLE_LSP_DOWNLOAD=1' \
    'WORKDIR /home/developer/workspace' \
    "CMD [\"/bin/sh\", \"-c\", \"$serve\"]"
  do
    changes="$changes&changes=$(urlencode "$change")"
  done
  tar -C "$rootfs" -c . | api POST "/images/create?fromSrc=-&repo=${IMAGE%:*}&tag=${IMAGE##*:}$changes" \
    -H 'Content-Type: application/x-tar' --data-binary @- >/dev/null || true
  rm -rf "$rootfs"
  if ! api GET "/images/$(urlencode "$IMAGE")/json" >/dev/null; then
    echo "the import of $IMAGE failed" >&2; exit 1
  fi
  echo "$IMAGE"
}

case "${1:-}" in
  install) install_package ;;
  bin) binary ;;
  image) image ;;
  *)
    echo "usage: $0 install|bin|image" >&2
    exit 2
    ;;
esac
