#!/usr/bin/env bash
# The long fuzz campaign behind the hardening figures: every end-to-end
# target and the inflate differential for 20 minutes, every per-structure
# decoder for 3 minutes and every filter for 65 seconds, two at a time with
# one worker each (the machine has 2 cores). Logs go to $OUT (default
# /tmp/goh5-fuzz); the last line of each is the summary. A crasher is written
# by go test to the package's testdata/fuzz/<Target>/ and must be committed
# as a regression case.
#
# Go 1.26's coordinator can end a duration run with a spurious "context
# deadline exceeded" (golang/go#75804) although no input failed: such a run
# is reported as "deadline race", a run that wrote a crasher as "CRASH".
#
# Minimization is capped at 200 executions per new input: with Go's default
# (60 s) a target whose inputs are whole files spends nearly all its time
# minimizing and executes only a few dozen mutations in 3 minutes.
#
#	scripts/fuzz-campaign.sh [LONG [SHORT [FILTER]]]    # durations, default 20m 3m 65s; 0 skips a group
set -uo pipefail
cd "$(dirname "$0")/.."
long=${1:-20m} short=${2:-3m} filter=${3:-65s}
out=${OUT:-/tmp/goh5-fuzz}
mkdir -p "$out"
jobs=()
add() { [ "$3" = 0 ] || jobs+=("$1 $2 $3"); } # package target duration
for t in FuzzOpen FuzzReadAll FuzzSelection; do add ./fuzz $t "$long"; done
add ./filters FuzzInflateDifferential "$long"
add ./superblock FuzzSuperblock "$short"
for t in FuzzV1Node FuzzV2Node FuzzFixedArray FuzzExtensibleArray; do add ./btree $t "$short"; done
for t in FuzzObjectHeader FuzzMessage; do add ./hdf5/internal/object $t "$short"; done
for t in FuzzLocalHeap FuzzGlobalHeap FuzzFractalHeap; do add ./hdf5/internal/heap $t "$short"; done
for t in FuzzDatatype FuzzDataspace; do add ./hdf5/internal/types $t "$short"; done
add ./hdf5/internal/h5s FuzzSelection "$short"
for t in FuzzValueDecode FuzzDecodeSelection; do add ./hdf5 $t "$short"; done
for t in FuzzDeflate FuzzInflateCorrupt FuzzShuffle FuzzFletcher32 FuzzLZF FuzzLZFReference FuzzLZ4 \
  FuzzBzip2 FuzzZstd FuzzBitshuffle FuzzBlosc FuzzBlosc2 FuzzNbit FuzzScaleOffset FuzzSzip; do
  add ./filters $t "$filter"
done
run() { # package target duration
  local pkg=$1 t=$2 d=$3 log
  log="$out/$(echo "${pkg#./}" | tr / _)-$t.log"
  go test -run '^$' -fuzz "^$t\$" -fuzztime "$d" -fuzzminimizetime 200x -parallel 1 -timeout 2h "$pkg" > "$log" 2>&1
  local rc=$? status=ok last
  last=$(grep '^fuzz: elapsed' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
      status="deadline race"
    else
      status=CRASH
    fi
  fi
  printf '%-28s %-24s %5s  %-14s %s\n' "$pkg" "$t" "$d" "$status" "$last"
}
export -f run
export out
printf '%s\n' "${jobs[@]}" | xargs -P 2 -L 1 bash -c 'run "$0" "$1" "$2"' | tee "$out/summary.txt"
