#!/usr/bin/env bash
# The include arrows inside core/ point one way: a file may include headers
# of its own layer and of the layers below it, never above it, and never
# sideways into another layer of the same rank. The order, lowest first:
#
#   0  util     status, numbers, ascii, ...   (core/version.h counts as util)
#   1  io       Disk, Clock, SimDisk, crash kinds
#   1  resp     request parser, reply builder and formats
#   2  store    Keyspace and the value types
#   3  persist  RDB and AOF formats, loader, writer, snapshot
#   4  server   Server, Client, Config, the command interface (command_spec.h)
#   5  cmd      the command families and the CommandTable that registers them
#   6  engine   core/engine.h: the façade that gives a Server its commands
#   7  lab      the persistence lab over the engine
#
# A new folder under core/ must be given a rank here before it can include
# or be included (an unknown layer fails the check).
set -eu
dir=${1:?usage: check_core_layering.sh CORE_DIR}

rank_of() {
  case "$1" in
    util | version) echo 0 ;;
    io | resp) echo 1 ;;
    store) echo 2 ;;
    persist) echo 3 ;;
    server) echo 4 ;;
    cmd) echo 5 ;;
    engine) echo 6 ;;
    lab) echo 7 ;;
    *) echo -1 ;;
  esac
}

# core/<layer>/... -> layer; core/<name>.h|.cc at the top -> name.
layer_of() {
  local rel=${1#core/}
  case "$rel" in
    */*) echo "${rel%%/*}" ;;
    *) rel=${rel%.*}; echo "$rel" ;;
  esac
}

status=0
cd "$dir/.."
while IFS= read -r file; do
  from=$(layer_of "$file")
  from_rank=$(rank_of "$from")
  if [ "$from_rank" -lt 0 ]; then
    echo "$file: layer '$from' has no rank in tests/layering/check_core_layering.sh"
    status=1
    continue
  fi
  while IFS=: read -r line target; do
    to=$(layer_of "$target")
    to_rank=$(rank_of "$to")
    [ "$to" = "$from" ] && continue
    if [ "$to_rank" -lt 0 ] || [ "$to_rank" -ge "$from_rank" ]; then
      echo "$file:$line: $from (rank $from_rank) includes $target ($to, rank $to_rank)"
      status=1
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]core/' "$file" |
           sed -E 's/^([0-9]+):.*[<"](core\/[^">]+)[">].*/\1:\2/')
done < <(find core -type f \( -name '*.h' -o -name '*.cc' \) | sort)

if [ "$status" -ne 0 ]; then
  echo "core/ includes must point down the order at the top of this script"
  exit 1
fi
echo "core/ includes point one way: util < io, resp < store < persist < server < cmd < engine < lab"
