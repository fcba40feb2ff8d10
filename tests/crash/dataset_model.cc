#include "tests/crash/dataset_model.h"

#include <utility>

namespace plab::crash {
namespace {

Config ModelConfig() {
  Config c;
  c.appendonly = false;
  c.save = {};
  return c;
}

bool Live(const KeyFingerprint& fp, int64_t now_ms) {
  return fp.expire_at_ms == Keyspace::kNoExpire || fp.expire_at_ms > now_ms;
}

bool SameKey(const KeyFingerprint& a, const KeyFingerprint& b) {
  return a.type == b.type && a.digest == b.digest && a.expire_at_ms == b.expire_at_ms;
}

// Walks the live keys of a fingerprint in order.
class LiveCursor {
 public:
  LiveCursor(const KeyspaceFingerprint& fp, int64_t now_ms)
      : it_(fp.begin()), end_(fp.end()), now_ms_(now_ms) {
    Skip();
  }
  bool done() const { return it_ == end_; }
  const KeyspaceFingerprint::value_type& operator*() const { return *it_; }
  void Next() {
    ++it_;
    Skip();
  }

 private:
  void Skip() {
    while (it_ != end_ && !Live(it_->second, now_ms_)) ++it_;
  }
  KeyspaceFingerprint::const_iterator it_, end_;
  int64_t now_ms_;
};

std::string Show(const KeyFingerprint& fp) {
  return std::string(TypeName(fp.type)) + " " + fp.summary + " ttl=" +
         (fp.expire_at_ms == Keyspace::kNoExpire ? "-1" : std::to_string(fp.expire_at_ms));
}

}  // namespace

DatasetModel::DatasetModel(int64_t start_ms)
    : clock_(start_ms * 1000), engine_(clock_, ModelConfig()) {
  states_.push_back(std::make_shared<const KeyspaceFingerprint>());
}

void DatasetModel::Run(std::vector<std::string> argv, int64_t now_ms) {
  clock_.SetMicros(now_ms * 1000);
  engine_.Execute(std::move(argv));
  KeyspaceFingerprint now = Current(now_ms);
  if (SameData(now, *states_.back(), now_ms)) {
    states_.push_back(states_.back());
  } else {
    states_.push_back(std::make_shared<const KeyspaceFingerprint>(std::move(now)));
  }
}

KeyspaceFingerprint DatasetModel::Current(int64_t now_ms) {
  return FingerprintKeyspace(engine_.server().keyspace(), now_ms);
}

std::vector<size_t> DatasetModel::Matching(const KeyspaceFingerprint& recovered, int64_t now_ms,
                                           size_t max_p) const {
  std::vector<size_t> out;
  const KeyspaceFingerprint* last = nullptr;
  bool last_matched = false;
  for (size_t p = 0; p <= max_p && p < states_.size(); ++p) {
    if (states_[p].get() != last) {
      last = states_[p].get();
      last_matched = SameData(*last, recovered, now_ms);
    }
    if (last_matched) out.push_back(p);
  }
  return out;
}

bool SameData(const KeyspaceFingerprint& a, const KeyspaceFingerprint& b, int64_t now_ms) {
  LiveCursor x(a, now_ms), y(b, now_ms);
  for (; !x.done() && !y.done(); x.Next(), y.Next()) {
    if ((*x).first != (*y).first || !SameKey((*x).second, (*y).second)) return false;
  }
  return x.done() && y.done();
}

std::string DescribeDifference(const KeyspaceFingerprint& want, const KeyspaceFingerprint& got,
                               int64_t now_ms, int max_lines) {
  std::string out;
  int lines = 0;
  auto line = [&](const std::pair<int, std::string>& id, const std::string& text) {
    if (lines++ < max_lines) {
      out += "      " + std::to_string(id.first) + "/" + id.second + ": " + text + "\n";
    }
  };
  LiveCursor x(want, now_ms), y(got, now_ms);
  while (!x.done() || !y.done()) {
    if (y.done() || (!x.done() && (*x).first < (*y).first)) {
      line((*x).first, Show((*x).second) + " -> missing");
      x.Next();
    } else if (x.done() || (*y).first < (*x).first) {
      line((*y).first, "absent -> " + Show((*y).second));
      y.Next();
    } else {
      if (!SameKey((*x).second, (*y).second)) {
        line((*x).first, Show((*x).second) + " -> " + Show((*y).second));
      }
      x.Next();
      y.Next();
    }
  }
  if (lines > max_lines) out += "      (" + std::to_string(lines - max_lines) + " more)\n";
  if (lines == 0) out = "      (no difference)\n";
  return out;
}

}  // namespace plab::crash
