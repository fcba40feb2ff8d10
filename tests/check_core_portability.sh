#!/usr/bin/env bash
# core/ compiles unchanged with em++ and talks to the outside only through
# Disk and Clock: no sockets, threads, POSIX or emscripten headers, and no
# clock of its own (<chrono>, <ctime>: time comes through the Clock seam; the
# real clock is native/system_clock.h).
set -eu
dir=${1:?usage: check_core_portability.sh CORE_DIR}
pattern='#include *<(unistd\.h|sys/[a-z_]+\.h|pthread\.h|thread|mutex|shared_mutex|condition_variable|future|atomic|chrono|ctime|time\.h|fstream|netinet/[a-z_]+\.h|arpa/inet\.h|fcntl\.h|signal\.h|emscripten[a-z_/.]*)>'
if grep -rnE "$pattern" "$dir"; then
  echo "core/ must not include OS, thread or clock headers (see DEVELOPERS.md)"
  exit 1
fi
echo "core/ is free of OS, thread and clock headers"
