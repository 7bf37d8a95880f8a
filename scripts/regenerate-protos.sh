#!/usr/bin/env bash
# Regenerates Sources/MitosisCaffe/Generated/*.pb.swift from Sources/MitosisCaffe/Proto/*.proto.
#
# Needs `protoc` (Debian: protobuf-compiler) and swift-protobuf's `protoc-gen-swift` plugin, taken from
# $PROTOC_GEN_SWIFT if set, else from PATH, else built in a temporary folder from the swift-protobuf
# checkout named by $SWIFT_PROTOBUF_SRC (default: /opt/swift-packages/apple/swift-protobuf.git). Use the
# same swift-protobuf release as Package.resolved so the generated code matches the runtime library.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proto_dir="$root/Sources/MitosisCaffe/Proto"
out_dir="$root/Sources/MitosisCaffe/Generated"

command -v protoc >/dev/null || { echo "error: protoc not found. HINT: apt-get install protobuf-compiler" >&2; exit 1; }

plugin="${PROTOC_GEN_SWIFT:-}"
if [[ -z "$plugin" ]]; then plugin="$(command -v protoc-gen-swift || true)"; fi
if [[ -z "$plugin" ]]; then
  src="${SWIFT_PROTOBUF_SRC:-/opt/swift-packages/apple/swift-protobuf.git}"
  [[ -e "$src" ]] || { echo "error: no protoc-gen-swift. HINT: set PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift or SWIFT_PROTOBUF_SRC=/path/to/swift-protobuf" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  version="$(sed -n '/swift-protobuf/,/version/s/.*"version" *: *"\([^"]*\)".*/\1/p' "$root/Package.resolved" 2>/dev/null | head -1)"
  echo "building protoc-gen-swift ${version:-(default branch)} from $src in $work" >&2
  git clone --quiet ${version:+--branch "$version"} "$src" "$work/swift-protobuf"
  (cd "$work/swift-protobuf" && swift build -c release --product protoc-gen-swift >&2)
  plugin="$work/swift-protobuf/.build/release/protoc-gen-swift"
fi

mkdir -p "$out_dir"
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=DropPath \
  --swift_out="$out_dir" \
  -I "$proto_dir" \
  "$proto_dir/caffe.proto" "$proto_dir/onnx.proto"
echo "wrote $(ls "$out_dir"/*.pb.swift | tr '\n' ' ')"
