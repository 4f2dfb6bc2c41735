#!/usr/bin/env bash
# One entry point for people and CI: `./dev.sh run` or `./dev.sh test`.
# Creates .venv with Python 3.13 (from PATH, or pyenv's 3.13 when that is how it is installed),
# installs the project with its test tools, then runs the bot or the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
    if command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys' >/dev/null 2>&1; then
        echo "python3.13"; return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        local v
        v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.|$)' | sort -V | tail -n 1 || true)
        if [ -n "$v" ]; then echo "env PYENV_VERSION=$v python3.13"; return; fi
    fi
    echo "Python 3.13 is required: put python3.13 on PATH (or install it with pyenv)." >&2
    exit 1
}

setup() {
    local py stamp
    py=$(find_python)
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
        rm -rf .venv
        $py -m venv .venv
    fi
    stamp=.venv/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)
    if [ ! -f "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e '.[test]'
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}

# The web chat tests drive a real Chromium. Debian/Ubuntu: installed here when missing and allowed
# (root or password-less sudo); elsewhere install it yourself or set CHROMIUM=/path/to/chrome.
ensure_chromium() {
    local name sudo=""
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    [ -n "${CHROMIUM:-}" ] && return 0
    if command -v apt-get >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ]; then
            if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
        fi
        if [ "$sudo" != none ]; then
            echo "Installing Chromium for the web chat browser tests (apt-get install chromium)..." >&2
            if $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; then
                return 0
            fi
        fi
    fi
    echo "WARNING: no Chromium: the web chat browser tests will be skipped." >&2
}

cmd=${1:-}
shift || true
case "$cmd" in
    run)
        setup
        exec .venv/bin/feedback-bot run "$@"
        ;;
    test)
        setup
        ensure_chromium
        .venv/bin/python -m ruff check .
        .venv/bin/python -m mypy
        exec .venv/bin/python -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh run | test [pytest args]" >&2
        exit 2
        ;;
esac
