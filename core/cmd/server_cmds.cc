// PLACEHOLDER: being written by a helper this session.
#include "core/cmd/command_table.h"

namespace plab {

void RegisterServerCommands(CommandTable& /*t*/) {}

}  // namespace plab
