#include "native/repl_help.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "native/version.h"

namespace plab {
namespace {

struct HelpEntry {
  std::vector<std::string> words;  // {"CONFIG", "GET"}
  const CommandSpec* spec;
};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Every documented command and subcommand, sorted by name like redis-cli's
// help list.
std::vector<HelpEntry> AllEntries(const CommandTable& table) {
  std::vector<HelpEntry> out;
  for (const auto& spec : table.all()) {
    out.push_back({{Upper(spec->name)}, spec.get()});
    for (const CommandSpec& sub : spec->subcommands) {
      out.push_back({{Upper(spec->name), Upper(sub.name)}, &sub});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const HelpEntry& a, const HelpEntry& b) { return a.words < b.words; });
  return out;
}

// One entry: a blank line, "NAME arguments", then labelled lines. The group
// line is left out when listing a group (it would repeat on every entry).
void AppendEntry(const HelpEntry& e, bool with_group, bool color, std::string* out) {
  auto style = [color](const char* code, const std::string& text) {
    return color ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  };
  const CommandSpec& s = *e.spec;
  *out += "\n  " + style("1", Join(e.words));
  if (!s.syntax.empty()) *out += " " + style("90", s.syntax);
  *out += "\n";
  *out += "  " + style("33", "summary:") + " " + s.summary + "\n";
  if (!s.since.empty()) *out += "  " + style("33", "since:") + " " + s.since + "\n";
  if (with_group) *out += "  " + style("33", "group:") + " " + s.group + "\n";
}

std::string GenericHelp(const CommandTable& table) {
  std::vector<std::string> groups;
  for (const auto& spec : table.all()) {
    if (std::find(groups.begin(), groups.end(), spec->group) == groups.end()) {
      groups.push_back(spec->group);
    }
  }
  std::sort(groups.begin(), groups.end());
  std::string group_list;
  for (const std::string& g : groups) group_list += " @" + g;
  return std::string("plab ") + kPlabVersion + " (Redis " + kRedisCompatVersion +
         " compatible)\n"
         "Type commands as you would in redis-cli, for example:  SET greeting hello\n"
         "  help <command>   syntax, summary, group and version of a command\n"
         "  help @<group>    the commands of a group, one of:\n"
         "                  " +
         group_list +
         "\n"
         "  help <TAB>       complete help topics\n"
         "  quit or exit     leave (the data lives only as long as this process)\n";
}

bool WordsMatch(const std::vector<std::string>& topic, const std::vector<std::string>& words) {
  if (topic.size() > words.size()) return false;
  for (size_t i = 0; i < topic.size(); ++i) {
    if (Upper(topic[i]) != words[i]) return false;
  }
  return true;
}

}  // namespace

std::string FormatHelp(const CommandTable& table, const std::vector<std::string>& topic,
                       bool color) {
  if (topic.empty()) return GenericHelp(table);
  const bool by_group = topic[0].size() > 1 && topic[0][0] == '@';
  const std::string group = by_group ? Upper(topic[0].substr(1)) : "";
  std::string out;
  for (const HelpEntry& e : AllEntries(table)) {
    if (by_group ? Upper(e.spec->group) == group : WordsMatch(topic, e.words)) {
      AppendEntry(e, !by_group, color, &out);
    }
  }
  if (out.empty()) {
    return "No help for '" + Join(topic) + "'. Type \"help\" to see how to use help.\n";
  }
  return out + "\n";
}

}  // namespace plab
