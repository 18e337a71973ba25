#!/usr/bin/env bash
# Side-by-side benchmark of the single-unit throughput (issue 17) against a build of commit
# 8d1530a, the last one that ran every seed run alone, in one invocation:
#
#   bash tools/bench_lockstep.sh [--quick]     (make bench-brian2 puts its Markdown in BENCHMARKS.md)
#
# eisweep run of 20,000 seed replicates at -j 1 (as it runs, and pinned to one CPU) and -j 2, both
# builds alternating so that anything else on the machine disturbs both alike; the Go benchmarks of the lockstep path and its bound;
# the rows of both builds compared in DuckDB (every column but run_ms); eisweep solve of
# sweeps/solve-seed.toml by both builds (the solver's replays); the machine's own 1 -> 2 CPU scaling
# (the bare kernel benchmark on one CPU, then on both at once); with perf, where -j 1's CPU goes
# (the simulation against the rest, three runs). Needs git, Go and cgo (for tools/duckcheck).
# Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
base=8d1530a
out=$(mktemp -d /tmp/eisweep-lockstep-XXXXXX)
trap 'git worktree remove --force "$out/base" >/dev/null 2>&1 || true; rm -rf "$out"' EXIT
reps=5; runs=20000; count=6
if [ $quick = 1 ]; then reps=2; runs=2000; count=2; fi

echo "bench-lockstep: building $base and this tree" >&2
git worktree add --detach "$out/base" "$base" >/dev/null 2>&1
(cd "$out/base" && go build -o "$out/eisweep-base" ./cmd/eisweep)
go build -o "$out/eisweep-new" ./cmd/eisweep
make -s bin/duckcheck >/dev/null
printf 'name = "seed"\nreplicates = %d\n' "$runs" > "$out/seed.toml"

echo "bench-lockstep: eisweep run, $reps rounds" >&2
# -j 1 twice: as it runs (the writer and the GC may use the second CPU) and on one CPU
# (taskset -c 0: "runs per second on one core"); -j 2 on both.
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
for _ in $(seq $reps); do
  for j in 1 1cpu 2; do
    for b in base new; do
      rm -rf "$out/res-$b"
      if [ $j = 1cpu ]; then p=$pin; jj=1; else p=""; jj=$j; fi
      /usr/bin/time -f "$b $j %e %M" -a -o "$out/times.txt" $p "$out/eisweep-$b" run --quiet -j $jj -o "$out/res-$b" "$out/seed.toml" >/dev/null
    done
  done
done
# Where the CPU goes at -j 1 (perf, if there is one): the simulation (sim.Batch.Run) against
# everything else the process does.
profile=""
if command -v perf >/dev/null && perf record -q -o "$out/perf.data" -F 4000 -g -- true >/dev/null 2>&1; then
  for k in 1 2 3; do
    rm -rf "$out/res-perf"
    perf record -q -o "$out/perf.data" -F 4000 -g -- "$out/eisweep-new" run --quiet -j 1 -o "$out/res-perf" "$out/seed.toml" >/dev/null 2>&1
    perf script -i "$out/perf.data" 2>/dev/null > "$out/perf$k.txt" || true
  done
  profile="$out/perf1.txt $out/perf2.txt $out/perf3.txt"
fi
# The solver (its single-unit replays), both builds alternating.
for _ in $(seq $((reps < 3 ? reps : 3))); do
  for b in base new; do
    rm -rf "$out/solve-$b"
    /usr/bin/time -f "$b %e %U" -a -o "$out/solve.txt" "$out/eisweep-$b" solve --quiet -o "$out/solve-$b" sweeps/solve-seed.toml >/dev/null
  done
done
solvediff=$(bin/duckcheck "SELECT count(*) FROM (SELECT * EXCLUDE (solve_ms) FROM read_parquet('$out/solve-base/solved/*.parquet') EXCEPT ALL SELECT * EXCLUDE (solve_ms) FROM read_parquet('$out/solve-new/solved/*.parquet'))" | tail -n 1)
# The machine's own scaling from one CPU to two: the bare kernel (registers only, no memory) on
# CPU 0 alone, then on CPUs 0 and 1 at once, alternating.
go test -c -o "$out/sim.test" ./sim
if [ -n "$pin" ] && [ "$(nproc)" -ge 2 ]; then
  bare() { taskset -c "$1" "$out/sim.test" -test.run '^$' -test.bench 'LockStepsBare' -test.cpu 1 -test.benchtime 1s -test.count 1 | awk '/^Benchmark/{print $3}'; }
  for _ in $(seq 3); do
    echo "alone $(bare 0)" >> "$out/scale.txt"
    bare 1 > "$out/other.txt" &
    echo "both $(bare 0)" >> "$out/scale.txt"
    wait
    echo "both $(cat "$out/other.txt")" >> "$out/scale.txt"
  done
fi
q() { bin/duckcheck "$1" | tail -n 1; }
cols="SELECT * EXCLUDE (run_ms) FROM read_parquet('$out/res-base/runs/*.parquet')"
colsn="SELECT * EXCLUDE (run_ms) FROM read_parquet('$out/res-new/runs/*.parquet')"
diff1=$(q "SELECT count(*) FROM ($cols EXCEPT ALL $colsn)")
diff2=$(q "SELECT count(*) FROM ($colsn EXCEPT ALL $cols)")
ncols=$(q "SELECT count(*) FROM (DESCRIBE $cols)")
nrows=$(q "SELECT count(*) FROM read_parquet('$out/res-new/runs/*.parquet')")

echo "bench-lockstep: Go benchmarks" >&2
# (two patterns: go test splits -bench at '/' into one pattern per level)
go test -run '^$' -bench 'SeedBatch/lanes=4$' -benchmem -count $count ./sim > "$out/sim.txt"
go test -run '^$' -bench 'SeedBatchReplay|SeedRun$|LockStepsBare|Poisson$' -benchmem -count $count ./sim >> "$out/sim.txt"

python3 - "$out" "$runs" "$diff1" "$diff2" "$ncols" "$nrows" "$base" "$profile" "$solvediff" <<'PY'
import collections, os, re, statistics, sys
out, runs, d1, d2, ncols, nrows, base, profile, solvediff = sys.argv[1:]
t = {}
for line in open(f"{out}/times.txt"):
    b, j, s, kb = line.split()
    t.setdefault((b, j), []).append((float(s), int(kb)))
def med(xs): return statistics.median(xs)
def rng(xs): return f"{med(xs):.2f} s ({min(xs):.2f}–{max(xs):.2f})"
bench = {}
for line in open(f"{out}/sim.txt"):
    m = re.match(r"Benchmark(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op", line)
    if m: bench.setdefault(m.group(1), []).append(float(m.group(2)))
print(f"## Single-unit throughput: runs in lockstep (issue 17)\n")
print(f"`bash tools/bench_lockstep.sh`: `eisweep run` of {int(runs):,} seed replicates, a build of commit {base} (every run alone) and this tree alternating, {len(t[('new','1')])} rounds; medians (min–max).\n")
print("| | " + base + " | this tree | ratio |")
print("|---|---|---|---|")
ratio = {}
label = {"1": "`-j 1`", "1cpu": "`-j 1` on one CPU (`taskset -c 0`)", "2": "`-j 2`"}
for j in ("1", "1cpu", "2"):
    b = [s for s, _ in t[("base", j)]]; n = [s for s, _ in t[("new", j)]]
    ratio[j] = med(b) / med(n)
    print(f"| {label[j]}, end to end | {rng(b)} | {rng(n)} | {ratio[j]:.2f}× |")
for j in ("1", "2"):
    b = [kb for _, kb in t[("base", j)]]; n = [kb for _, kb in t[("new", j)]]
    print(f"| `-j {j}`, peak RSS | {med(b)/1024:.0f} MB | {med(n)/1024:.0f} MB | |")
sb = lambda k: med(bench[k]) if k in bench else float("nan")
scale = lambda b, j: med([s for s, _ in t[(b, j)]]) / med([s for s, _ in t[(b, "2")]])
scale_new, scale_cpu = scale("new", "1"), scale("new", "1cpu")
print(f"\n1 → 2 workers (`-j 1` → `-j 2`, as they run): {scale_new:.2f}× (the {base} build: {scale('base', '1'):.2f}×); from one CPU (`-j 1` pinned, its writer and GC on the worker's CPU) to two: {scale_cpu:.2f}× ({scale('base', '1cpu'):.2f}×). Rows: {nrows} per sweep, {ncols} columns besides run_ms; rows of {base} not in this tree's: {d1}, of this tree's not in {base}'s: {d2} (DuckDB `EXCEPT ALL`).\n")
hw = None
if os.path.exists(f"{out}/scale.txt"):
    sc = collections.defaultdict(list)
    for line in open(f"{out}/scale.txt"):
        k, v = line.split()
        sc[k].append(float(v))
    hw = 2 * med(sc["alone"]) / med(sc["both"])
    print(f"The machine's own 1 → 2 CPU scaling: `BenchmarkLockStepsBare` (registers only) on one CPU alone {med(sc['alone']):.2f} ns per step, on both CPUs at once {med(sc['both']):.2f} ns (medians of {len(sc['alone'])} and {len(sc['both'])}): two CPUs do {hw:.2f}× the work of one, the most any program scales here; `-j 1` pinned → `-j 2` is {scale_cpu/hw:.0%} of it.\n")
sv = collections.defaultdict(list)
for line in open(f"{out}/solve.txt"):
    b, s_, u_ = line.split()
    sv[b].append((float(s_), float(u_)))
sbase = [s_ for s_, _ in sv["base"]]; snew = [s_ for s_, _ in sv["new"]]
print(f"`eisweep solve sweeps/solve-seed.toml` (1000 replicates per candidate, both units), {len(snew)} rounds: {rng(sbase)} with {base}, {rng(snew)} with this tree: {med(sbase)/med(snew):.2f}×; solved rows of {base} not in this tree's (all columns but solve_ms): {solvediff}.\n")
bare = sb("LockStepsBare"); batch = sb("SeedBatch/lanes=4"); alone = sb("SeedRun"); replay = sb("SeedBatchReplay")
print("| Go benchmark (median) | per | time |")
print("|---|---|---|")
print(f"| `BenchmarkSeedRun` (one seed run alone, 10,000 steps) | run | {alone/1e3:.1f} µs |")
print(f"| `BenchmarkSeedBatch/lanes=4` (seed runs in lockstep, Poisson input included) | run | {batch/1e3:.1f} µs |")
print(f"| `BenchmarkSeedBatchReplay` (the same, the input drawn beforehand: the batch simulation alone) | run | {replay/1e3:.1f} µs |")
print(f"| `BenchmarkLockStepsBare` (the kernel without inputs or spikes: the bound) | step of 4 runs | {bare:.2f} ns ({bare*10000/4/1e3:.1f} µs per run) |")
print(f"| `BenchmarkPoisson` (the seed's excitatory input alone, 10,000 steps) | run | {sb('Poisson')/1e3:.1f} µs |")
bound = bare * 10000 / 4
print(f"\nLockstep against alone: {alone/batch:.2f}×. The batch simulation against its bound: {replay/bound:.2f}× (with the drawing of the Poisson input, which stays each run's own: {batch/bound:.2f}×). The bound is the latency of v's update chain, seven dependent vector operations and a division (about 32 cycles per step on Zen 4), which four runs share.\n")
rest = None
if profile:
    shares = []
    for path in profile.split():
        n = sim = 0
        stack = []
        for line in open(path):
            if not line.strip():
                if stack:
                    n += 1
                    sim += any("sim.(*Batch).Run" in f for f in stack)
                stack = []
            elif line[0] in " \t":
                stack.append(line)
        if stack:
            n += 1
            sim += any("sim.(*Batch).Run" in f for f in stack)
        if n and sim:
            shares.append(((n - sim) / sim, sim / n, n))
    if shares:
        shares.sort()
        rest, simfrac, n = shares[len(shares) // 2]
        print(f"CPU of `-j 1` (perf at 4 kHz, every thread, {len(shares)} runs; the median): the simulation (`sim.Batch.Run`: the input drawn and both units advanced) {100*simfrac:.1f} %, everything else (rows, Parquet, f-I lookups, the writer, GC, the seed report) {100*(1-simfrac):.1f} %: the rest is {100*rest:.0f} % of the simulation's (the runs: " + ", ".join(f"{100*r:.0f} %" for r, _, _ in shares) + ").\n")
print("Targets: " + "; ".join([
    f"≥ 3× runs per second on one core: {'met' if ratio['1cpu'] >= 3 else 'not met'} ({ratio['1cpu']:.2f}×; `-j 1` unpinned {ratio['1']:.2f}×)",
    f"1 → 2 workers ≥ 1.85×: {'met' if scale_new >= 1.85 else 'not met'} ({scale_new:.2f}×; from one CPU {scale_cpu:.2f}×" + ("" if hw is None else f"; the machine's own scaling {hw:.2f}×") + ")",
    f"the rest ≤ 20 % of the simulation: " + ("not measured (no perf)" if rest is None else f"{'met' if rest <= 0.20 else 'not met'} ({100*rest:.0f} %)"),
    f"batch simulation within 1.5× of the bound: {'met' if replay/bound <= 1.5 else 'not met'} ({replay/bound:.2f}×)",
    f"rows identical: {'yes' if d1 == '0' and d2 == '0' else 'NO'}",
]) + ".")
PY
