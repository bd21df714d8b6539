#!/usr/bin/env bash
# Builds the libFuzzer targets for the model-file loader, the data readers (IDX, CSV) and the ONNX importer and runs each.
#   bash .ci/fuzz.sh [SECONDS] [model|data|onnx ...]     (default: 60 seconds each, all three)
# The library code is built by SwiftPM with coverage instrumentation in .build-fuzz, then each harness in
# Tests/Fuzz is linked against it. Crashing inputs go to .build/fuzz/<target>-crash-*; corpora grow in
# .build/fuzz/<target>-corpus. The checkpoint reader has its own script, .ci/fuzz-checkpoint.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("${@:-model data onnx}")
[ "${#targets[@]}" -eq 1 ] && read -r -a targets <<< "${targets[0]}"
out=.build/fuzz
mkdir -p "$out"

swift build -c release --scratch-path .build-fuzz --target NNONNX -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
  2>&1 | grep -E "error|Compiling NNONNX|Build of target" || true
release=.build-fuzz/$(uname -m)-unknown-linux-gnu/release
[ -d "$release/NNONNX.build" ] || { echo "the instrumented build failed" >&2; exit 1; }
objects=$(find "$release"/{NNModel,NNLayers,NNCore,NNCoreAVX512,NNVectorMath,NNRegisterTile,NNData,NNCheckpoint,NNONNX,SwiftProtobuf,Yams,CYaml}.build -name '*.o')
yams_include=$(find .build-fuzz/checkouts/Yams/Sources/CYaml/include -name module.modulemap)

build() {  # build NAME SOURCE
  swiftc -O -sanitize=fuzzer -parse-as-library -module-name "$1Fuzz" -I "$release/Modules" \
    -Xcc -fmodule-map-file="$yams_include" -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap \
    "$2" $objects -lz -o "$out/$1-fuzzer" 2> >(grep -v "Cannot export local symbol" >&2)
}

status=0
for target in "${targets[@]}"; do
  corpus="$out/$target-corpus"
  mkdir -p "$corpus"
  case "$target" in
    model)
      build model Tests/Fuzz/ModelFileFuzzer.swift
      cp Models/*.yaml Tests/Fuzz/Seeds/model/*.yaml "$corpus/"
      printf '%s\n' '"type:"' '"name:"' '"inputs:"' '"blocks:"' '"arguments:"' '"layers:"' '"input:"' '"$"' '"&a"' '"*a"' \
        '"? "' '"Add"' '"Concatenate"' '"Multiply"' '"Conv2D"' '"Linear"' '"units:"' '"!!int"' '": "' '"- "' '"{"' '"["' > "$out/model-dictionary"
      dictionary=(-dict="$out/model-dictionary")
      ;;
    data)
      build data Tests/Fuzz/DataFileFuzzer.swift
      printf '\x00\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x01\x07\x08\x09\x0a' > "$corpus/seed-idx"
      printf '\x01label,a,b\n1,0.5,2\r\n0,3,-4e-2\n' > "$corpus/seed-csv"
      dictionary=()
      ;;
    onnx)
      build onnx Tests/Fuzz/ONNXFuzzer.swift
      cp Tests/Fuzz/Seeds/onnx/*.onnx "$corpus/"
      dictionary=()
      ;;
    *) echo "unknown fuzz target '$target'" >&2; exit 2 ;;
  esac
  echo "fuzzing $target for $seconds s"
  SWIFT_BACKTRACE=enable=no "$out/$target-fuzzer" "$corpus" "${dictionary[@]}" -max_total_time="$seconds" -max_len=8192 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$target-crash-" -print_final_stats=1 2>&1 \
    | grep -E "stat::number_of_executed_units|Done|ERROR|SUMMARY|Test unit written" || true
  if ls "$out/$target"-crash-* >/dev/null 2>&1; then
    echo "the $target fuzzer found failing inputs: $(ls "$out/$target"-crash-*)" >&2
    status=1
  fi
done
exit $status
