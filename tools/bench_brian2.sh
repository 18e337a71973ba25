#!/usr/bin/env bash
# Side-by-side benchmark of eisweep and Brian2 2.5.1 on this machine, in one invocation.
#
#   bash tools/bench_brian2.sh [--quick]        (make bench-brian2 writes BENCHMARKS.md with it)
#
# Needs Go and Debian's python3-brian (apt-get install -y python3-brian). Prints Markdown: the
# machine, the commands, every figure (median and min–max of repeated runs), the ratios and
# whether each target of issue 6 is met. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
out=$(mktemp -d /tmp/eisweep-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT
reps=5; sweep_runs=1000; count=7
if [ $quick = 1 ]; then reps=2; sweep_runs=50; count=2; fi

go build -o "$out/eisweep" ./cmd/eisweep
echo "bench: Go benchmarks" >&2
go test -run '^$' -bench 'Step$|StepBare|SeedRun|FIFull|FISearch' -benchmem -count $count ./sim > "$out/sim.txt"
go test -run '^$' -bench 'WorkerRun' -benchmem -count 3 ./pipeline > "$out/pipeline.txt"

# eisweep run, end to end (process start, f-I, simulation, Parquet, compaction).
sweep() { # name replicates duration
  printf 'name = "%s"\nreplicates = %d\n[params]\n"sim.duration" = "%s"\n' "$1" "$2" "$3" > "$out/$1.toml"
}
sweep seed1000 1000 "1 s"; sweep seed10000 10000 "1 s"; sweep million 1000 "10 ms"
printf '[grid]\n"input.rate_exc" = { from = "2 Hz", to = "11 Hz", steps = 10 }\n"weights.mult_ei" = { from = 0.5, to = 1.49, steps = 100 }\n' >> "$out/million.toml"
timeit() { # label reps run-flags... definition
  local label=$1 n=$2; shift 2
  for _ in $(seq "$n"); do
    rm -rf "$out/res"
    /usr/bin/time -f "$label %e %M" -a -o "$out/times.txt" "$out/eisweep" run --quiet -o "$out/res" "$@" >/dev/null
  done
}
echo "bench: eisweep run" >&2
timeit run1000_j2 $reps -j 2 "$out/seed1000.toml"
# 1 and 2 workers interleaved, so that anything else on the machine disturbs both alike.
for _ in 1 2 3 4 5; do
  timeit run10000_j1 1 -j 1 "$out/seed10000.toml"
  timeit run10000_j2 1 -j 2 "$out/seed10000.toml"
done
if [ $quick = 0 ]; then timeit million_j2 1 -j 2 "$out/million.toml"; fi

echo "bench: Brian2 (several minutes)" >&2
(cd tools && /usr/bin/python3 bench_brian2.py --reps $reps --sweep-runs $sweep_runs) > "$out/brian2.json"

python3 tools/bench_report.py "$out" "$sweep_runs"
