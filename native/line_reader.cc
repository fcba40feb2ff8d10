#include "native/line_reader.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>
#include <vector>

// libedit's readline emulation (C API).
#include <editline/readline.h>

#include "core/cmd/command_table.h"
#include "core/lab/lab_shell.h"

namespace plab {
namespace {

constexpr int kHistoryMax = 1000;

// TAB candidates: command names, container subcommands ("CONFIG GET") and
// "@group" help topics, uppercase. Built once; never modified afterwards, so
// the readline callback below needs no mutable state.
const std::vector<std::string>& CompletionWords() {
  static const std::vector<std::string> words = [] {
    auto upper = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return s;
    };
    std::set<std::string> out;
    CommandTable table;
    for (const auto& spec : table.all()) {
      out.insert(upper(spec->name));
      for (const CommandSpec& sub : spec->subcommands) {
        out.insert(upper(spec->name) + " " + upper(sub.name));
      }
      if (!spec->group.empty()) out.insert("@" + upper(spec->group));
    }
    return std::vector<std::string>(out.begin(), out.end());
  }();
  return words;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (prefix.size() > s.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

char* Dup(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

// What TAB may offer for the word `typed`, given the text before it:
// command names at the start of a line, help topics after "help ", and
// the lab's dot-commands and their first words (".crash p" -> power,
// process).
std::vector<std::string> Candidates(std::string_view before, std::string_view typed) {
  std::vector<std::string> out;
  const size_t first = before.find_first_not_of(' ');
  const bool at_start = first == std::string_view::npos;
  if (at_start && !typed.empty() && typed[0] == '.') {
    for (const DotVerbInfo& verb : DotVerbs()) out.emplace_back(verb.name);
    return out;
  }
  const std::string_view word =
      at_start ? std::string_view() : before.substr(first, before.find(' ', first) - first);
  const bool only_word =
      !at_start && before.find_first_not_of(' ', first + word.size()) == std::string_view::npos;
  if (only_word && !word.empty() && word[0] == '.') {
    for (std::string_view w : DotCommandWords(word)) out.emplace_back(w);
    return out;
  }
  const bool after_help = only_word && (StartsWithNoCase(word, "help") && word.size() == 4);
  if (!at_start && !after_help) return out;
  for (const std::string& w : CompletionWords()) {
    if (w.find(' ') != std::string::npos) continue;  // one word at a time
    if (w[0] == '@' && !after_help) continue;
    out.push_back(w);
  }
  return out;
}

// rl_attempted_completion_function: returns the malloc'ed array readline
// expects (longest common prefix first, then every match, then NULL).
char** Complete(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  const std::string_view typed(text);
  const bool lower = !typed.empty() && std::islower(static_cast<unsigned char>(typed[0]));
  std::vector<std::string> matches;
  for (std::string& w :
       Candidates(std::string_view(rl_line_buffer, static_cast<size_t>(start)), typed)) {
    if (!StartsWithNoCase(w, typed)) continue;
    if (lower) {
      for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    matches.push_back(std::move(w));
  }
  if (matches.empty()) return nullptr;
  size_t common = matches[0].size();
  for (const std::string& m : matches) {
    size_t i = 0;
    while (i < common && i < m.size() && m[i] == matches[0][i]) ++i;
    common = i;
  }
  char** out = static_cast<char**>(std::malloc((matches.size() + 2) * sizeof(char*)));
  out[0] = Dup(std::string_view(matches[0]).substr(0, common));
  for (size_t i = 0; i < matches.size(); ++i) out[i + 1] = Dup(matches[i]);
  out[matches.size() + 1] = nullptr;
  return out;
}

char* NoFileNames(const char* /*text*/, int /*state*/) { return nullptr; }

class EditLineReader final : public LineReader {
 public:
  explicit EditLineReader(std::string history_file) : history_file_(std::move(history_file)) {
    rl_readline_name = "plab";
    rl_attempted_completion_function = Complete;
    rl_completion_entry_function = NoFileNames;
    using_history();
    stifle_history(kHistoryMax);
    if (!history_file_.empty()) read_history(history_file_.c_str());
  }

  std::optional<std::string> Read(const std::string& prompt) override {
    char* line = readline(prompt.c_str());
    if (line == nullptr) return std::nullopt;
    std::string s(line);
    std::free(line);
    return s;
  }

  // Saved after every line, like redis-cli, so history survives a crash or
  // a terminal closed without `quit`.
  void AddHistory(const std::string& line) override {
    add_history(line.c_str());
    if (!history_file_.empty()) write_history(history_file_.c_str());
  }

 private:
  std::string history_file_;
};

class StreamLineReader final : public LineReader {
 public:
  explicit StreamLineReader(FILE* in) : in_(in) {}

  std::optional<std::string> Read(const std::string& /*prompt*/) override {
    std::string line;
    int c;
    while ((c = std::fgetc(in_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    if (c == EOF && line.empty()) return std::nullopt;
    return line;
  }

 private:
  FILE* in_;
};

}  // namespace

std::unique_ptr<LineReader> NewEditLineReader(std::string history_file) {
  return std::make_unique<EditLineReader>(std::move(history_file));
}

std::unique_ptr<LineReader> NewStreamLineReader(FILE* in) {
  return std::make_unique<StreamLineReader>(in);
}

std::string DefaultHistoryFile() {
  if (const char* env = std::getenv("PLAB_HISTFILE")) {
    std::string path = env;
    return path == "/dev/null" ? std::string() : path;
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = getpwuid(getuid());
    if (pw == nullptr || pw->pw_dir == nullptr) return "";
    home = pw->pw_dir;
  }
  return std::string(home) + "/.plab_history";
}

}  // namespace plab
