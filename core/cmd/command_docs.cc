// COMMAND DOCS "arguments": rebuilds Redis's argument tree from the syntax
// string every CommandSpec carries, written the way Redis's documentation
// writes it:
//   key value [NX | XX] [EX seconds | PX milliseconds] [LIMIT offset count]
//   key [key ...]        field value [field value ...]
// Words in capitals are tokens ("pure-token" arguments), other words are
// values ("key" when named key, else "string"); [..] is optional, (..) and
// <..> group without making optional, a | b is a choice ("oneof"), several words in a group form a
// "block", and "[x ...]" right after x marks x as repeatable ("multiple"). redis-cli renders this
// tree back into the hint it shows while typing, so the round trip keeps the
// syntax as written.
#include <string>
#include <vector>

#include "core/cmd/server_family.h"
#include "core/util/check.h"

namespace plab {
namespace {

struct DocArg {
  std::string name;
  std::string type;   // "key", "string", "pure-token", "oneof", "block"
  std::string token;  // the word, for pure tokens
  bool optional = false;
  bool multiple = false;
  std::vector<DocArg> args;  // oneof / block members
  std::string text;          // the words it was parsed from, for "[x ...]"
};

std::vector<std::string> Tokenize(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ') {
      ++i;
    } else if (std::string_view("[]()<>|").find(c) != std::string_view::npos) {
      out.emplace_back(1, c);
      ++i;
    } else {
      size_t j = i;
      while (j < s.size() && std::string_view(" []()<>|").find(s[j]) == std::string_view::npos) {
        ++j;
      }
      out.emplace_back(s.substr(i, j - i));
      i = j;
    }
  }
  return out;
}

bool IsTokenWord(std::string_view w) {
  bool letter = false;
  for (char c : w) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}

DocArg Word(const std::string& w) {
  DocArg a;
  a.text = w;
  if (IsTokenWord(w)) {
    a.type = "pure-token";
    a.token = w;
    for (char c : w) a.name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  } else {
    a.name = w;
    a.type = w == "key" ? "key" : "string";
  }
  return a;
}

// One item, or a block when a group holds several.
DocArg Group(std::vector<DocArg> items) {
  if (items.size() == 1) return std::move(items[0]);
  DocArg block;
  block.type = "block";
  for (const DocArg& i : items) block.text += (block.text.empty() ? "" : " ") + i.text;
  block.name = items.empty() ? "block" : items[0].name;
  block.args = std::move(items);
  return block;
}

class SyntaxParser {
 public:
  explicit SyntaxParser(std::string_view syntax) : tokens_(Tokenize(syntax)) {}

  std::vector<DocArg> ParseAll() {
    std::vector<DocArg> out;
    while (pos_ < tokens_.size()) {
      std::vector<DocArg> seq = ParseSequence();
      for (DocArg& a : seq) out.push_back(std::move(a));
      if (pos_ < tokens_.size()) ++pos_;  // stray ']' ')' '|': skip it
    }
    return out;
  }

 private:
  // Items until a closing bracket or '|'. Handles "[x ...]" repetition.
  std::vector<DocArg> ParseSequence() {
    std::vector<DocArg> items;
    while (pos_ < tokens_.size()) {
      const std::string& t = tokens_[pos_];
      if (t == "]" || t == ")" || t == ">" || t == "|") break;
      ++pos_;
      if (t == "...") continue;  // only meaningful inside "[x ...]"
      if (t != "[" && t != "(" && t != "<") {
        items.push_back(Word(t));
        continue;
      }
      const bool optional = t == "[";
      bool repeat = false;
      DocArg inner = ParseAlternatives(&repeat);
      if (pos_ < tokens_.size()) ++pos_;  // the closing bracket
      if (repeat && MergeRepeat(&items, inner.text)) continue;
      inner.optional = optional;
      inner.multiple = inner.multiple || repeat;  // "[x [x ...]]" keeps x multiple
      items.push_back(std::move(inner));
    }
    return items;
  }

  // seq ('|' seq)*; sets *repeat when the group ends with "...".
  DocArg ParseAlternatives(bool* repeat) {
    std::vector<DocArg> alternatives;
    while (true) {
      const size_t start = pos_;
      std::vector<DocArg> seq = ParseSequence();
      if (pos_ > start && tokens_[pos_ - 1] == "...") *repeat = true;
      alternatives.push_back(Group(std::move(seq)));
      if (pos_ < tokens_.size() && tokens_[pos_] == "|") {
        ++pos_;
        continue;
      }
      break;
    }
    if (alternatives.size() == 1) return std::move(alternatives[0]);
    DocArg oneof;
    oneof.type = "oneof";
    oneof.name = alternatives[0].name;
    for (const DocArg& a : alternatives) oneof.text += (oneof.text.empty() ? "" : " | ") + a.text;
    oneof.args = std::move(alternatives);
    return oneof;
  }

  // "x y [x y ...]": folds the trailing items that the repeat group repeats
  // into one multiple argument. False when they don't match.
  static bool MergeRepeat(std::vector<DocArg>* items, const std::string& repeated) {
    std::string tail;
    for (size_t n = 1; n <= items->size(); ++n) {
      const DocArg& a = (*items)[items->size() - n];
      tail = n == 1 ? a.text : a.text + " " + tail;
      if (tail != repeated) continue;
      std::vector<DocArg> group(std::make_move_iterator(items->end() - static_cast<long>(n)),
                                std::make_move_iterator(items->end()));
      items->resize(items->size() - n);
      DocArg merged = Group(std::move(group));
      merged.multiple = true;
      items->push_back(std::move(merged));
      return true;
    }
    return false;
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

// addReplyCommandArgList(): each argument is a map (flat in RESP2) and its
// flags a set.
void ReplyArgs(ReplyBuilder& r, const std::vector<DocArg>& args) {
  r.ArrayHeader(args.size());
  for (const DocArg& a : args) {
    const bool has_flags = a.optional || a.multiple;
    const bool nested = a.type == "oneof" || a.type == "block";
    r.MapHeader(2 + (a.token.empty() ? 0 : 1) + (has_flags ? 1 : 0) + (nested ? 1 : 0));
    r.Bulk("name");
    r.Bulk(a.name);
    r.Bulk("type");
    r.Bulk(a.type);
    if (!a.token.empty()) {
      r.Bulk("token");
      r.Bulk(a.token);
    }
    if (has_flags) {
      r.Bulk("flags");
      r.SetHeader((a.optional ? 1 : 0) + (a.multiple ? 1 : 0));
      if (a.optional) r.Simple("optional");
      if (a.multiple) r.Simple("multiple");
    }
    if (nested) {
      r.Bulk("arguments");
      ReplyArgs(r, a.args);
    }
  }
}

}  // namespace

void ReplyDocArguments(ReplyBuilder& reply, std::string_view syntax) {
  PLAB_DCHECK(!syntax.empty(), "ReplyDocArguments: empty syntax");
  ReplyArgs(reply, SyntaxParser(syntax).ParseAll());
}

}  // namespace plab
