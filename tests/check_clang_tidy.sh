#!/usr/bin/env bash
# clang-tidy over core/ with the committed .clang-tidy (a short list of
# checks that find real bugs: use after move, dangling views, suspicious
# sizeof/string/compare/widening mistakes, copies in loops and of
# unchanged values). Every finding is an error; a deliberate exception
# carries a NOLINT(check) comment saying why.
#   check_clang_tidy.sh SOURCE_DIR BUILD_DIR   (BUILD_DIR has compile_commands.json)
set -eu
src=${1:?usage: check_clang_tidy.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: check_clang_tidy.sh SOURCE_DIR BUILD_DIR}
if ! command -v clang-tidy >/dev/null; then
  echo "clang-tidy is missing: run scripts/setup (Debian package clang-tidy)"
  exit 1
fi
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json"; exit 1; }
files=$(cd "$src" && find core -name '*.cc' | sort)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -Wno-unknown-warning-option: the build's flags are g++'s (-Wno-restrict).
# Two at a time: the machine has two cores.
cd "$src"
status=0
printf '%s\n' $files | xargs -P 2 -n 4 clang-tidy -p "$build" --quiet \
  --extra-arg=-Wno-unknown-warning-option --header-filter="^$src/core/" >"$log" 2>&1 || status=$?
if grep -qE '(warning|error): ' "$log"; then
  grep -E '(warning|error): ' "$log" | sort -u
  echo "clang-tidy: findings in core/ (see above)"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  cat "$log"
  echo "clang-tidy failed to run (exit $status)"
  exit 1
fi
echo "clang-tidy: $(wc -w <<<"$files") core/ files, no findings"
