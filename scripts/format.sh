#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the rules of .swift-format.
#
#   scripts/format.sh           rewrites the files in place
#   scripts/format.sh --check   changes nothing; fails on any difference or finding (the test command runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Sources Tests Package.swift examples/ExampleProjects.swift examples/ExampleDAGs.swift examples/ExampleModelRepository.swift Fuzz/Sources Fuzz/Package.swift)
case "${1:-}" in
  --check) swift format lint --strict --recursive --parallel "${paths[@]}" && echo "swift-format: no findings" ;;
  "") swift format --in-place --recursive --parallel "${paths[@]}" ;;
  *) echo "usage: scripts/format.sh [--check]" >&2; exit 2 ;;
esac
