#!/usr/bin/env bash
# Builds the libFuzzer target for the checkpoint reader and runs it.
#   bash .ci/fuzz-checkpoint.sh [SECONDS]    (default 60)
# Crashing inputs are written to .build/fuzz/crash-*; the corpus grows in .build/fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=.build/fuzz
mkdir -p "$out/corpus"

swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name NNCheckpointFuzz \
  Sources/NNCheckpoint/*/*.swift Tests/Fuzz/CheckpointReaderFuzzer.swift \
  -o "$out/checkpoint-fuzzer" 2> >(grep -v "Cannot export local symbol" >&2)

# Seeds: a small valid file (header length, JSON header, F32 data) and the format's tokens.
python3 - "$out/corpus/seed-valid" <<'PY'
import json, struct, sys
header = json.dumps({"__metadata__": {"format": "nnkit"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                     "b": {"dtype": "F16", "shape": [1], "data_offsets": [8, 10]}}, separators=(",", ":")).encode()
header += b" " * (-len(header) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + struct.pack("<ff", 1.5, -2.0) + b"\x00\x3c")
PY
cat > "$out/dictionary" <<'DICT'
"__metadata__"
"dtype"
"shape"
"data_offsets"
"F32"
"F16"
"BF16"
"F64"
"I64"
"nnkit.checksum"
"crc32c:"
"\\u"
DICT

"$out/checkpoint-fuzzer" "$out/corpus" -dict="$out/dictionary" -max_total_time="$seconds" -max_len=4096 \
  -artifact_prefix="$out/crash-" -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|Done|ERROR|crash" || true
if ls "$out"/crash-* >/dev/null 2>&1; then
  echo "fuzzer found crashing inputs: $(ls "$out"/crash-*)" >&2
  exit 1
fi
