#!/usr/bin/env bash
# Runs one libFuzzer target for a while over its corpus (tests/fuzz/corpus/TARGET):
#   tests/fuzz/run.sh FUZZ_BUILD_DIR TARGET SECONDS
# New inputs go to a scratch directory, not into the repository's corpus; an input that crashes
# is kept as FUZZ_BUILD_DIR/crashes/TARGET/crash-* (add it to the corpus once fixed).
set -euo pipefail
dir="$1" target="$2" seconds="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$dir/fuzz_$target"
if [ ! -x "$bin" ]; then
    echo "fuzz_$target is not built: ./dmr build makes $dir with clang-14"
    exit 77 # ctest: skipped
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$dir/crashes/$target"
exec "$bin" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$dir/crashes/$target/" "$scratch" "$here/corpus/$target"
