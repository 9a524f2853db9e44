#!/usr/bin/env bash
# Times spotcheck as the office runs it: whole processes, from start to
# exit, on the demo plan. Not a test: it passes or fails nothing, it only
# measures.
#
#   bash scripts/bench.sh            # 30 runs of each command
#   RUNS=10 WARMUP=1 bash scripts/bench.sh
#
# Builds the release binary, installs hyperfine if it is missing, runs
# every benchmark in BENCHES below, prints a table (mean ± σ and min, in
# ms) and writes it to target/bench.md.
#
# The draw runs whatever plans/demo.toml says (targets, and teams when the
# plan has an [inspectors] table), each run into a fresh directory. The
# verify benchmark replays one bundle drawn beforehand. The batch
# benchmark draws a year's batch of 5,000 small tasks with teams, made by
# the demo generator beside a copy of the demo data, in one process
# (BATCH_RUNS runs, default 10: each takes seconds). Before each batch run
# the previous bundle is moved aside, not deleted: deleting its 10,000
# files and folders a moment before makes ext4 skip each of them, slowly,
# when the next draw asks for new ones (a draw right after `rm -rf` of
# the last one spent 2.4 s in the kernel, after a move 0.4 s), and no
# office draws a batch a second after deleting the same batch.
#
# Timings vary with whatever else the machine is doing; compare figures
# taken on a quiet machine, and look at min as well as the mean.
#
# The province benchmark is opt-in, as it takes minutes and 7.6 GB of disk:
#
#   PROVINCE=1 bash scripts/bench.sh
#   PROVINCE=1 PROVINCE_SIZES="1000000 5000000" PROVINCE_RUNS=5 bash scripts/bench.sh
#
# For each size (firms; default 1, 5 and 20 million) the demo generator
# writes a directory (`generate_demo_data --n N`, kept in target/province
# for the next time), and the targets-only plan is drawn from it and the
# bundle verified, PROVINCE_RUNS times each (default 3), under
# /usr/bin/time: wall time (the least of the runs) and peak resident
# memory ("Maximum resident set size", the most of the runs), per firm too.
# Each size is measured twice: with the demo's whole rows (188 bytes: the
# address, area and date columns too), and with only the six columns
# SPEC.md §1.1 requires (about 95 bytes a row, cut from the same file),
# as an export made for the draw has them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
BATCH_RUNS=${BATCH_RUNS:-10}
PROVINCE=${PROVINCE:-}
PROVINCE_SIZES=${PROVINCE_SIZES:-1000000 5000000 20000000}
PROVINCE_RUNS=${PROVINCE_RUNS:-3}
PROVINCE_DIR=target/province   # generated directories, kept between runs

BIN=target/release/spotcheck
PLAN=plans/demo.toml
SEED=01382438112797316654
WORK=target/bench          # scratch space of this script
OUT=$WORK/draw-out         # each timed draw writes here, removed before it
BUNDLE=$WORK/bundle        # the bundle that verify replays
BATCH=$WORK/batch          # the demo data and a batch plan of 5,000 tasks
ASIDE=$WORK/aside          # earlier batch bundles, moved out of the way
REPORT=target/bench.md

# The benchmarks, one a line: name | command run before each timing, not
# timed (may be empty) | the timed command | runs (empty: RUNS). hyperfine
# splits a command into words as a shell would (quotes hold) and runs it
# without a shell, so keep paths free of spaces. To time another command,
# add a line.
BENCHES=(
    "draw, targets only (plans/demo-targets.toml)|rm -rf $OUT|$BIN draw --plan plans/demo-targets.toml --seed $SEED --out $OUT|"
    "draw ($PLAN)|rm -rf $OUT|$BIN draw --plan $PLAN --seed $SEED --out $OUT|"
    "verify (that bundle)||$BIN verify $BUNDLE|"
    "draw, a batch of 5,000 tasks with teams|bash -c 'mkdir -p $ASIDE && mv $OUT $ASIDE/\$(date +%s%N) 2>/dev/null; true'|$BIN draw --plan $BATCH/batch.toml --seed $SEED --out $OUT|$BATCH_RUNS"
    "verify (that batch)||$BIN verify $BATCH/bundle|$BATCH_RUNS"
)

cargo build --release --quiet

if ! command -v hyperfine >/dev/null; then
    echo "bench: installing hyperfine" >&2
    apt-get install -y hyperfine >/dev/null 2>&1 || {
        apt-get update >/dev/null
        apt-get install -y hyperfine >/dev/null
    }
fi

# One draw, not timed: it shows any error in full, and is the bundle
# that verify replays.
rm -rf "$WORK"
mkdir -p "$WORK"
"$BIN" draw --plan "$PLAN" --seed "$SEED" --out "$BUNDLE" >/dev/null
"$BIN" verify "$BUNDLE" >/dev/null
mkdir -p "$BATCH"
cp data/enterprises.csv data/history.csv data/inspectors.csv "$BATCH/"
cargo run --release --quiet -p spotcheck-demo -- --batch-tasks 5000 --out "$BATCH" >/dev/null
"$BIN" draw --plan "$BATCH/batch.toml" --seed "$SEED" --out "$BATCH/bundle" >/dev/null
"$BIN" verify "$BATCH/bundle" >/dev/null

rows=()
for bench in "${BENCHES[@]}"; do
    IFS='|' read -r name prepare command runs <<<"$bench"
    rm -rf "$OUT"
    echo "bench: $name: $command" >&2
    args=(--shell=none --warmup "$WARMUP" --runs "${runs:-$RUNS}" --style basic --export-csv "$WORK/result.csv")
    if [ -n "$prepare" ]; then
        args+=(--prepare "$prepare")
    fi
    hyperfine "${args[@]}" "$command" >&2
    # The CSV's second line: command,mean,stddev,median,user,system,min,max
    # (seconds). The command may hold commas, so count fields from the end.
    rows+=("$(awk -F, -v name="$name" 'NR == 2 {
        printf "| %s | %.1f ± %.1f | %.1f |", name, $(NF-6) * 1000, $(NF-5) * 1000, $(NF-1) * 1000
    }' "$WORK/result.csv")")
done
rm -rf "$OUT" "$ASIDE"

# The province benchmark: whole processes under /usr/bin/time.
province_rows=()
# Draws from and verifies the directory in DIR (N firms), PROVINCE_RUNS
# times each, and adds a row per command to province_rows.
province_runs() {
    local dir=$1 n=$2 columns gb command best peak wall kb
    columns=$(head -1 "$dir/enterprises.csv" | tr ',' '\n' | wc -l)
    gb=$(stat -c %s "$dir/enterprises.csv" | awk '{ printf "%.2f", $1 / 1e9 }')
    for command in draw verify; do
        best="" peak=0
        for _ in $(seq "$PROVINCE_RUNS"); do
            if [ "$command" = draw ]; then
                rm -rf "$dir/bundle"
                set -- draw --plan "$dir/plan.toml" --seed "$SEED" --out "$dir/bundle" --quiet
            else
                set -- verify "$dir/bundle" --quiet
            fi
            /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$BIN" "$@" >/dev/null
            read -r wall kb <"$WORK/time.txt"
            echo "bench: $command, $n firms, $columns columns: $wall s, $kb KiB" >&2
            best=$(awk -v a="$best" -v b="$wall" 'BEGIN { print (a == "" || b < a) ? b : a }')
            peak=$((kb > peak ? kb : peak))
        done
        province_rows+=("$(awk -v c="$command" -v n="$n" -v w="$best" -v kb="$peak" -v cols="$columns" -v gb="$gb" 'BEGIN {
            printf "| %s | %d | %d, %s GB | %.2f | %.2f | %.0f | %.1f |", c, n, cols, gb, w, w * 1e6 / n, kb / 1024, kb * 1024 / n
        }')")
    done
}
if [ -n "$PROVINCE" ]; then
    cargo build --release --quiet -p spotcheck-demo
    for n in $PROVINCE_SIZES; do
        dir=$PROVINCE_DIR/n$n
        if [ ! -s "$dir/enterprises.csv" ]; then
            echo "bench: generating $n firms in $dir" >&2
            rm -rf "$dir"
            target/release/generate_demo_data --n "$n" --out "$dir" >/dev/null
        fi
        sed -e 's#\.\./data/#./#' plans/demo-targets.toml >"$dir/plan.toml"
        six=$PROVINCE_DIR/n$n-six
        if [ ! -s "$six/enterprises.csv" ]; then
            mkdir -p "$six"
            cut -d, -f1-6 "$dir/enterprises.csv" >"$six/enterprises.csv"
            cp "$dir/history.csv" "$dir/plan.toml" "$six/"
        fi
        province_runs "$dir" "$n"
        province_runs "$six" "$n"
    done
fi

{
    echo "# spotcheck timings"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
        "$(git diff --quiet HEAD 2>/dev/null || echo '(with uncommitted changes)'), $(nproc) processors," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs ($BATCH_RUNS for the batch) after $WARMUP warm-up runs each."
    echo
    echo "| command | mean ± σ (ms) | min (ms) |"
    echo "|---|---:|---:|"
    printf '%s\n' "${rows[@]}"
    if [ ${#province_rows[@]} -gt 0 ]; then
        echo
        echo "Province: the targets-only plan on generated directories; least wall time and most peak"
        echo "resident memory of $PROVINCE_RUNS runs (/usr/bin/time)."
        echo
        echo "| command | firms | columns, file | wall (s) | µs per firm | peak RSS (MiB) | bytes per firm |"
        echo "|---|---:|---|---:|---:|---:|---:|"
        printf '%s\n' "${province_rows[@]}"
    fi
} >"$REPORT"
echo
cat "$REPORT"
