#!/usr/bin/env bash
# core/ compiles unchanged with em++ and talks to the outside only through
# Disk and Clock: no sockets, threads, POSIX or emscripten headers.
set -eu
dir=${1:?usage: check_core_portability.sh CORE_DIR}
pattern='#include *<(unistd\.h|sys/[a-z_]+\.h|pthread\.h|thread|mutex|fstream|netinet/[a-z_]+\.h|arpa/inet\.h|fcntl\.h|signal\.h|emscripten[a-z_/.]*)>'
if grep -rnE "$pattern" "$dir"; then
  echo "core/ must not include OS headers (see DEVELOPERS.md)"
  exit 1
fi
echo "core/ is free of OS headers"
