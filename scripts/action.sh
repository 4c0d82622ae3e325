#!/usr/bin/env bash
# The GitHub Action's work (action.yml): install godrift, run `godrift report` with SARIF,
# annotations and the job summary, and record the exit code for the steps after it (the
# SARIF upload runs even when plugins fail; the last step fails the job).
# Inputs come as INPUT_* variables; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_ACTIONS
# as GitHub sets them. tests/action.rs runs it with a fake environment.
set -euo pipefail

dir="${INPUT_DIRECTORY:-.}"
fail_on="${INPUT_FAIL_ON:-error}"
sarif="${INPUT_SARIF_FILE:-godrift.sarif}"
version="${INPUT_VERSION:-}"
action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"

install() {
    if [ -n "$version" ]; then
        # The wheel carries the binary: no Rust toolchain needed. A venv of its own: the
        # runner's system Python refuses packages (PEP 668). A path installs that wheel.
        local spec="godrift==$version"
        case "$version" in */* | *.whl) spec="$version" ;; esac
        local venv="${RUNNER_TEMP:-/tmp}/godrift-venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec"
        export PATH="$venv/bin:$PATH"
        echo "$venv/bin" >>"${GITHUB_PATH:-/dev/null}"
        return
    fi
    if command -v godrift >/dev/null 2>&1; then
        return
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "::error title=godrift::no godrift on PATH, no 'version' input and no cargo: set 'version' to a published release, or install Rust before this step" >&2
        exit 2
    fi
    local root="${RUNNER_TEMP:-/tmp}/godrift"
    cargo install --quiet --locked --path "$action_path" --root "$root"
    export PATH="$root/bin:$PATH"
    echo "$root/bin" >>"${GITHUB_PATH:-/dev/null}"
}

install
godrift --version

# Word splitting of INPUT_ARGS is intended (several arguments in one input).
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
set +e
godrift report "$dir" --format sarif --output "$sarif" --fail-on "$fail_on" --quiet "${extra[@]}"
code=$?
set -e
if [ -f "$sarif" ]; then
    echo "sarif-file=$sarif" >>"${GITHUB_OUTPUT:-/dev/null}"
fi
echo "exit-code=$code" >>"${GITHUB_OUTPUT:-/dev/null}"
case "$code" in
    0) echo "godrift: every plugin loads" ;;
    1) echo "godrift: findings at or above $fail_on (annotations and job summary say what to change)" ;;
    *) echo "godrift: could not check (exit $code): see the error above" >&2 ;;
esac
# Not failing here lets the SARIF upload run; action.yml's last step fails the job.
exit 0
