#!/usr/bin/env bash
# Builds kaniko-lsp.vsix from this folder with the locked dependencies (npm ci + vsce package).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install vsce package --out kaniko-lsp.vsix \
  --baseImagesUrl https://github.com/kaniko-lsp/kaniko-lsp/raw/HEAD/client-config/vscode
