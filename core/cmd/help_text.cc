#include "core/cmd/help_text.h"

#include <algorithm>
#include <string_view>

#include "core/cmd/command.h"
#include "core/util/ascii.h"
#include "core/version.h"

namespace plab {
namespace {

// A command (parent null) or a container's subcommand ("CONFIG GET").
struct HelpEntry {
  const CommandSpec* parent;
  const CommandSpec* spec;
  std::string_view first() const { return parent != nullptr ? parent->name : spec->name; }
  std::string_view second() const { return parent != nullptr ? spec->name : std::string_view(); }
};

void AppendUpper(std::string_view s, std::string* out) {
  for (char c : s) *out += AsciiUpper(c);
}

bool Before(const HelpEntry& a, const HelpEntry& b) {
  return a.first() != b.first() ? a.first() < b.first() : a.second() < b.second();
}

// Every documented command and subcommand, sorted by name like redis-cli's
// help list.
std::vector<HelpEntry> AllEntries(const CommandRegistry& table) {
  std::vector<HelpEntry> out;
  for (const auto& spec : table.all()) {
    out.push_back({nullptr, spec.get()});
    for (const CommandSpec& sub : spec->subcommands) out.push_back({spec.get(), &sub});
  }
  // Insertion sort: a few hundred entries, sorted once per HELP; std::sort
  // would cost the browser build ~1 KB of wasm for nothing it could feel.
  for (size_t i = 1; i < out.size(); ++i) {
    const HelpEntry e = out[i];
    size_t j = i;
    for (; j > 0 && Before(e, out[j - 1]); --j) out[j] = out[j - 1];
    out[j] = e;
  }
  return out;
}

// One entry: a blank line, "NAME arguments", then labelled lines. The group
// line is left out when listing a group (it would repeat on every entry).
void AppendEntry(const HelpEntry& e, bool with_group, bool color, std::string* out) {
  auto on = [color, out](const char* code) {
    if (color) out->append("\x1b[").append(code).append("m");
  };
  auto off = [color, out] {
    if (color) out->append("\x1b[0m");
  };
  const CommandSpec& s = *e.spec;
  *out += "\n  ";
  on("1");
  AppendUpper(e.first(), out);
  if (e.parent != nullptr) *out += ' ';
  AppendUpper(e.second(), out);
  off();
  if (!s.syntax.empty()) {
    *out += ' ';
    on("90");
    *out += s.syntax;
    off();
  }
  const std::pair<const char*, const std::string*> labels[] = {
      {"summary:", &s.summary},
      {"since:", s.since.empty() ? nullptr : &s.since},
      {"group:", with_group ? &s.group : nullptr}};
  for (const auto& [label, text] : labels) {
    if (text == nullptr) continue;
    *out += "\n  ";
    on("33");
    *out += label;
    off();
    out->append(" ").append(*text);
  }
  *out += '\n';
}

std::string GenericHelp(const CommandRegistry& table) {
  std::vector<std::string> groups;
  for (const auto& spec : table.all()) {
    if (std::find(groups.begin(), groups.end(), spec->group) == groups.end()) {
      groups.push_back(spec->group);
    }
  }
  std::sort(groups.begin(), groups.end());
  std::string group_list;
  for (const std::string& g : groups) group_list.append(" @").append(g);
  return std::string("plab ") + kPlabVersion + " (Redis " + kRedisCompatVersion +
         " compatible)\n"
         "Type commands as you would in redis-cli, for example:  SET greeting hello\n"
         "  help <command>   syntax, summary, group and version of a command\n"
         "  help @<group>    the commands of a group, one of:\n"
         "                  " +
         group_list +
         "\n"
         "  help <TAB>       complete help topics\n"
         "  .help            the lab's own commands, which start with a dot: crash\n"
         "                   the server, restart it, move its clock, list its files,\n"
         "                   choose a persistence policy\n"
         "  clear            clear the screen\n"
         "  quit or exit     leave\n";
}

bool WordsMatch(const std::vector<std::string>& topic, const HelpEntry& e) {
  if (topic.size() > (e.parent != nullptr ? 2 : 1)) return false;
  return EqualsIgnoreCase(topic[0], e.first()) &&
         (topic.size() == 1 || EqualsIgnoreCase(topic[1], e.second()));
}

}  // namespace

std::string FormatHelp(const CommandRegistry& table, const std::vector<std::string>& topic,
                       bool color) {
  if (topic.empty()) return GenericHelp(table);
  const bool by_group = topic[0].size() > 1 && topic[0][0] == '@';
  const std::string_view group = by_group ? std::string_view(topic[0]).substr(1) : "";
  std::string out;
  for (const HelpEntry& e : AllEntries(table)) {
    if (by_group ? EqualsIgnoreCase(e.spec->group, group) : WordsMatch(topic, e)) {
      AppendEntry(e, !by_group, color, &out);
    }
  }
  if (out.empty()) {
    out = "No help for '";
    for (size_t i = 0; i < topic.size(); ++i) out.append(i == 0 ? "" : " ").append(topic[i]);
    return out + "'. Type \"help\" to see how to use help.\n";
  }
  return out + "\n";
}

}  // namespace plab
