#include "core/cmd/command_table.h"

namespace plab {
CommandTable::CommandTable() {
  RegisterConnectionCommands(*this);
  RegisterServerCommands(*this);
  RegisterKeyCommands(*this);
  RegisterStringCommands(*this);
  RegisterListCommands(*this);
  RegisterHashCommands(*this);
  RegisterSetCommands(*this);
  RegisterZSetCommands(*this);
  RegisterMemoryCommands(*this);
  RegisterLcsCommand(*this);
  RegisterMPopCommands(*this);
  RegisterZSetSetOpCommands(*this);
  RegisterSwapDbCommand(*this);
  RegisterPersistenceCommands(*this);
}

}  // namespace plab
