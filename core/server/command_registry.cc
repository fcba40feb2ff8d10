#include "core/server/command_spec.h"
#include "core/util/ascii.h"
#include "core/util/check.h"

namespace plab {

void CommandRegistry::Add(CommandSpec spec) {
  spec.full_name = spec.name;
  spec.id = next_id_++;
  for (CommandSpec& sub : spec.subcommands) {
    sub.full_name = spec.name + "|" + sub.name;
    sub.id = next_id_++;
  }
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  by_name_[owned->name] = owned.get();
  specs_.push_back(std::move(owned));
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  char lower[64] = {};  // zeroed: silences a GCC 12 maybe-uninitialized false positive
  if (name.size() > sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) lower[i] = AsciiLower(name[i]);
  auto it = by_name_.find(std::string_view(lower, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

const CommandSpec* CommandRegistry::Lookup(const std::vector<std::string>& argv,
                                           bool* unknown_subcommand) const {
  PLAB_DCHECK(!argv.empty(), "CommandRegistry::Lookup: empty argv");
  *unknown_subcommand = false;
  const CommandSpec* base = Find(argv[0]);
  if (base == nullptr || base->subcommands.empty() || argv.size() == 1) return base;
  // lookupSubcommand(): containers resolve argv[1].
  for (const CommandSpec& sub : base->subcommands) {
    if (EqualsIgnoreCase(sub.name, argv[1])) return &sub;
  }
  *unknown_subcommand = true;
  return nullptr;
}

}  // namespace plab
