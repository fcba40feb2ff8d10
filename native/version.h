// Version strings shown by `plab --version`, the REPL banner and the server's
// startup log: defined in core (the browser terminal's HELP prints them too).
#pragma once

#include "core/version.h"
