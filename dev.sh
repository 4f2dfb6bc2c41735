#!/usr/bin/env bash
# One entry point for people and CI: `./dev.sh run`, `./dev.sh test`, `./dev.sh lock`, `./dev.sh audit`.
# Creates .venv with Python >= 3.13 and installs exactly what requirements.lock pins (hash-checked),
# with uv: from PATH, or installed from PyPI into .uv/ at the version pinned below.
set -euo pipefail
cd "$(dirname "$0")"

UV_VERSION=0.13.9
LOCK=requirements.lock
SETUP_REVISION=2  # 2: dependencies' bytecode compiled at install

# pyproject.toml promises Python >= 3.13; any of these that is new enough will do.
find_python() {
    local candidate v
    for candidate in python3.13 python3.14 python3.15 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' >/dev/null 2>&1; then
            command -v "$candidate"; return
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[3-9])(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
        if [ -n "$v" ]; then
            PYENV_VERSION=$v pyenv which python3 2>/dev/null && return
        fi
    fi
    echo "Python 3.13 or newer is required: put python3.13 on PATH (or install it with pyenv)." >&2
    exit 1
}

find_uv() {
    if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
    if [ ! -x .uv/bin/uv ] || [ "$(.uv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        echo "Installing uv $UV_VERSION from PyPI into .uv/ ..." >&2
        rm -rf .uv
        "$(find_python)" -m venv .uv
        .uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
    fi
    echo "$PWD/.uv/bin/uv"
}

setup() {
    local uv py stamp
    # The stamp follows the lock, pyproject.toml and SETUP_REVISION (how this function installs), so a
    # .venv made by an older setup is brought up to date by the next ./dev.sh command.
    stamp=.venv/.installed-$({ cat "$LOCK" pyproject.toml; echo "$SETUP_REVISION"; } | cksum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ -x .venv/bin/python ]; then return; fi
    uv=$(find_uv)
    py=$(find_python)
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
        rm -rf .venv
        "$uv" venv --quiet --python "$py" .venv
    fi
    # Exactly the locked versions, every file checked against its hash; nothing newer sneaks in.
    # Compiled once here: where bytecode is not written at run time (PYTHONDONTWRITEBYTECODE, a read-only
    # folder), every start would compile SecantusDB, pymongo, ... from source again, which costs the bot
    # and its embedded server ~28 MiB at peak together and seconds of start-up (docs/benchmarks.md).
    "$uv" pip sync --quiet --python .venv/bin/python --require-hashes --compile-bytecode "$LOCK"
    "$uv" pip install --quiet --python .venv/bin/python --no-deps -e .
    if ! "$uv" pip check --quiet --python .venv/bin/python >/dev/null 2>&1; then
        "$uv" pip check --python .venv/bin/python >&2 || true
        echo "$LOCK does not satisfy pyproject.toml: run ./dev.sh lock and commit the result." >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
}

# Refreshes the lock from pyproject.toml: a deliberate step, committed on its own.
lock() {
    local uv
    uv=$(find_uv)
    "$uv" pip compile pyproject.toml --all-extras --universal --python-version 3.13 \
        --generate-hashes --quiet --custom-compile-command "./dev.sh lock" -o "$LOCK" "$@"
    echo "wrote $LOCK ($(grep -cE '^[a-z0-9]' "$LOCK") packages)"
}

# The browser tests' tools (axe-core), exactly as package-lock.json pins them: installed here, never
# fetched while the tests run. Without npm the accessibility audit is skipped with the reason.
node_tools() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "WARNING: no npm: the web chat accessibility audit (axe-core) will be skipped." >&2
        return 0
    fi
    if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.lock-installed; then return 0; fi
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    cp package-lock.json node_modules/.lock-installed
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
        node_tools
        ensure_chromium
        .venv/bin/python -m ruff check .
        .venv/bin/python -m mypy
        exec .venv/bin/python -m pytest "$@"
        ;;
    lock)
        lock "$@"
        ;;
    audit)
        # Known advisories for every locked version; needs the advisory database (network), so it is
        # not part of `test`. Exit 0 clean, 1 advisories, 3 not audited (database unreachable).
        setup
        exec .venv/bin/python deploy/audit_dependencies.py "$@"
        ;;
    setup)
        setup
        node_tools
        ;;
    *)
        echo "usage: ./dev.sh run [bot args] | test [pytest args] | lock [--upgrade] | audit [-s osv] | setup" >&2
        exit 2
        ;;
esac
