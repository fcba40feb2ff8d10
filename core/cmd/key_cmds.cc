// PLACEHOLDER: being written by a helper this session.
#include "core/cmd/command_table.h"

namespace plab {

void RegisterKeyCommands(CommandTable& /*t*/) {}

}  // namespace plab
