#!/usr/bin/env bash
# Builds the libFuzzer target of the config reader (fuzz/, clang-14 with ASan + UBSan, in
# build-fuzz/) and runs it for SECONDS (default 60) on the seed corpus: configs/*.yaml,
# tests/data/*.yaml (each also with its grid cut to [11, 11, 29], the coarsest on which the default
# cell still paints every primitive, so that an input costs milliseconds and fits the fuzzer's
# 64 MiB memory limit),
# fuzz/seeds/ (every optional section, property laws, "#set" override lines, aliases) and the
# inputs of past findings in fuzz/regressions/. New inputs go to build-fuzz/corpus,
# which later runs reuse; a finding (crash, sanitizer report, uncaught exception that is not a
# ConfigError, timeout) is written to build-fuzz/artifacts/ and fails the script.
#
#   scripts/fuzz.sh [SECONDS]          FUZZ_FORK=2 scripts/fuzz.sh 300   (2 worker processes)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
./scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

seeds=build-fuzz/seeds
corpus=build-fuzz/corpus
artifacts=build-fuzz/artifacts
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"
for f in configs/*.yaml tests/data/*.yaml; do
  name=$(basename "$f" .yaml)
  cp "$f" "$seeds/$name.yaml"
  sed -E 's/cells: (\[[0-9]+, [0-9]+, [0-9]+\]|[0-9]+)$/cells: [11, 11, 29]/' "$f" > "$seeds/$name.small.yaml"
  cmp -s "$f" "$seeds/$name.small.yaml" && rm "$seeds/$name.small.yaml"
done
cp fuzz/seeds/* "$seeds/"
cp fuzz/regressions/*.yaml "$seeds/"

if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
args=(-dict=fuzz/yaml.dict -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048
      -artifact_prefix="$artifacts/" -print_final_stats=1)
if [ "${FUZZ_FORK:-1}" -gt 1 ]; then args+=(-fork="$FUZZ_FORK"); fi
echo "fuzz: $seconds s, corpus $(ls "$corpus" | wc -l) + $(ls "$seeds" | wc -l) seeds"
build-fuzz/bin/hphtsim_fuzz_config "${args[@]}" "$corpus" "$seeds"
echo "fuzz: no finding in $seconds s; corpus now $(ls "$corpus" | wc -l) inputs"
