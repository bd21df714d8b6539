#!/bin/bash
# Regenerates onnx.pb.swift from onnx.proto (copied from the onnx Python package: `pip install onnx`, then
# `python3 -c "import onnx, os; print(os.path.dirname(onnx.__file__))"`/onnx.proto). Needs protoc (Debian:
# protobuf-compiler) and swift-protobuf's plugin of the version Package.swift names:
#   git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout 1.39.0 &&
#   swift build --product protoc-gen-swift
# then: PROTOC_GEN_SWIFT=/path/to/swift-protobuf/.build/debug/protoc-gen-swift bash regenerate.sh
set -euo pipefail
cd "$(dirname "$0")"
protoc --plugin="${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift binary}" --swift_out=. onnx.proto
