// Small helpers shared by the command families that set key deadlines:
// strings (SET/SETEX/GETEX) and generic keys (EXPIRE and friends).
#pragma once

#include <string>

#include "core/cmd/command.h"

namespace plab {

// addReplyErrorExpireTime(): "ERR invalid expire time in '<cmd>' command",
// naming the command as Redis does (its full name, e.g. 'set', 'pexpireat').
inline void ReplyInvalidExpireTime(CommandContext& ctx) {
  std::string msg(errors::kInvalidExpire);
  msg.replace(msg.find("%s"), 2, ctx.spec.full_name);
  ctx.reply.Error(msg);
}

}  // namespace plab
