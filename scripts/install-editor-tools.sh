#!/usr/bin/env bash
# Installs what tests/test_editor.py drives: yaml-language-server, the engine of VS Code's
# YAML extension, from the npm registry into .tools/yaml-language-server/ (the test runs it
# from there), with Node.js and npm from Debian when the machine has no node.
# Does nothing when the pinned version is in place; needs root or sudo only to install Node.js.
set -euo pipefail
# Pinned: 2.x needs Node.js 22.13 or newer (Debian 12 has 18); 1.20 loads no schema that has an
# $id, and 1.19 reports valid events as errors (draft 2020-12's $ref beside other keywords).
VERSION=1.25.0
cd "$(dirname "$0")/.."
PREFIX=.tools/yaml-language-server
if [ -f "$PREFIX/node_modules/yaml-language-server/package.json" ] &&
  grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/yaml-language-server/package.json"; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-editor-tools: Node.js is missing; install the Debian packages nodejs and npm as root" >&2
      exit 1
    fi
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
  echo "install-editor-tools: yaml-language-server $VERSION needs Node.js 18 or newer; this is $(node --version)" >&2
  exit 1
fi
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "yaml-language-server@$VERSION"
