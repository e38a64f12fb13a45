#!/usr/bin/env bash
# Installs docker-langserver (npm: dockerfile-language-server-nodejs), the Dockerfile server the Emacs
# test runs next to kaniko-lsp, under CACHE_DIR (default ~/.cache/kaniko-lsp); prints its path.
set -euo pipefail

version=0.15.0
cache="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-lsp}"
target="$cache/docker-langserver-$version"
executable="$target/node_modules/.bin/docker-langserver"

if [ ! -x "$executable" ]; then
  rm -rf "$target.partial"
  mkdir -p "$target.partial"
  (cd "$target.partial" && npm install --no-audit --no-fund --loglevel=error \
    "dockerfile-language-server-nodejs@$version" >&2)
  rm -rf "$target"
  mv "$target.partial" "$target"
fi
echo "$executable"
