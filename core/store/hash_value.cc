#include "core/store/hash_value.h"

#include <algorithm>
#include <utility>

#include "core/util/check.h"

namespace plab {
namespace {

// The vector grows by about a quarter (starting at one slot) instead of
// doubling: a listpack hash exists to be small (Redis reallocates its
// listpack on every insert), and with at most ~25% spare slots a vector of
// pairs stays below the memory of the hash table's separately allocated
// nodes plus bucket array, even for a one-field hash.
void GrowForOneMore(HashValue::Entries& entries) {
  if (entries.size() < entries.capacity()) return;
  entries.reserve(entries.capacity() + entries.capacity() / 4 + 1);
}

HashValue::Entries::iterator FindEntry(HashValue::Entries& entries, std::string_view field) {
  return std::find_if(entries.begin(), entries.end(),
                      [&](const HashValue::Entry& e) { return e.field == field; });
}

}  // namespace

HashValue HashValue::Clone() const {
  HashValue copy;
  if (const Entries* entries = std::get_if<Entries>(&rep_)) {
    copy.rep_ = Entries(entries->begin(), entries->end());
    return copy;
  }
  Table& table = copy.rep_.emplace<Table>();
  std::get<Table>(rep_).ForEach(
      [&](const std::string& field, const std::string& value) { table.Put(field, value); });
  return copy;
}

size_t HashValue::size() const {
  if (const Entries* entries = std::get_if<Entries>(&rep_)) return entries->size();
  return std::get<Table>(rep_).size();
}

const std::string* HashValue::Find(std::string_view field) const {
  if (const Entries* entries = std::get_if<Entries>(&rep_)) {
    for (const Entry& e : *entries) {
      if (e.field == field) return &e.value;
    }
    return nullptr;
  }
  return std::get<Table>(rep_).Find(field);
}

bool HashValue::Set(std::string&& field, std::string&& value) {
  if (Entries* entries = std::get_if<Entries>(&rep_)) {
    auto it = FindEntry(*entries, field);
    if (it != entries->end()) {
      it->value = std::move(value);
      return false;
    }
    GrowForOneMore(*entries);
    entries->push_back(Entry{std::move(field), std::move(value)});
    return true;
  }
  auto [node, inserted] = std::get<Table>(rep_).TryEmplace(std::move(field));
  node->value = std::move(value);
  return inserted;
}

void HashValue::Reserve(size_t n) {
  if (Entries* entries = std::get_if<Entries>(&rep_)) {
    entries->reserve(n);
  } else {
    std::get<Table>(rep_).Reserve(n);
  }
}

bool HashValue::Erase(std::string_view field) {
  if (Entries* entries = std::get_if<Entries>(&rep_)) {
    auto it = FindEntry(*entries, field);
    if (it == entries->end()) return false;
    entries->erase(it);
    // Give memory back after heavy deletion, as a shrinking listpack does.
    if (entries->capacity() > 8 && entries->size() * 2 < entries->capacity()) {
      entries->shrink_to_fit();
    }
    return true;
  }
  return std::get<Table>(rep_).Erase(field);
}

void HashValue::ConvertToHashtable() {
  Entries* entries = std::get_if<Entries>(&rep_);
  if (entries == nullptr) return;
  Entries moved = std::move(*entries);
  Table& table = rep_.emplace<Table>();
  for (Entry& e : moved) table.Put(std::move(e.field), std::move(e.value));
}

HashValue::FieldRef HashValue::RandomField(std::mt19937_64& rng) const {
  PLAB_DCHECK(!empty(), "HashValue::RandomField: empty hash");
  if (const Entries* entries = std::get_if<Entries>(&rep_)) {
    const Entry& e = (*entries)[static_cast<size_t>(rng() % entries->size())];
    return {&e.field, &e.value};
  }
  const Table::Node* node = std::get<Table>(rep_).RandomNode(rng);
  return {&node->key, &node->value};
}

size_t HashValue::OverheadBytes() const {
  if (const Entries* entries = std::get_if<Entries>(&rep_)) {
    return entries->capacity() * sizeof(Entry);
  }
  return std::get<Table>(rep_).OverheadBytes();
}

}  // namespace plab
