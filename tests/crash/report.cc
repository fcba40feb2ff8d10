// Stats::Table: what the enumeration checked, per setup and crash kind.
#include <cstdio>
#include <string>

#include "tests/crash/enumerator.h"

namespace plab::crash {
namespace {

std::string Cell(const std::string& text, int width) {
  return text.size() >= static_cast<size_t>(width) ? text + " "
                                                   : text + std::string(width - text.size(), ' ');
}

// One table of `field` of the tallies: rows are setups, columns the groups.
std::string Grid(const Stats& stats, const std::vector<std::string>& groups, const char* title,
                 uint64_t Tally::*field) {
  std::string out = std::string(title) + "\n" + Cell("setup", 14);
  for (const std::string& g : groups) out += Cell(g, 16);
  out += "total\n";
  std::map<std::string, uint64_t> column_totals;
  uint64_t grand = 0;
  for (const auto& [setup, by_group] : stats.tallies) {
    out += Cell(setup, 14);
    uint64_t row = 0;
    for (const std::string& g : groups) {
      auto it = by_group.find(g);
      const uint64_t n = it == by_group.end() ? 0 : it->second.*field;
      out += Cell(std::to_string(n), 16);
      row += n;
      column_totals[g] += n;
    }
    grand += row;
    out += std::to_string(row) + "\n";
  }
  out += Cell("total", 14);
  for (const std::string& g : groups) out += Cell(std::to_string(column_totals[g]), 16);
  return out + std::to_string(grand) + "\n";
}

}  // namespace

std::string Stats::Table() const {
  std::vector<std::string> groups;
  for (const Variant& v : Variants(1)) groups.push_back(v.Group());
  // One grid per tally, each followed by a blank line.
  struct GridSpec {
    const char* title;
    uint64_t Tally::*field;
  };
  static constexpr GridSpec kGrids[] = {
      {"Crash states checked (setup x crash kind; torn: all seeds):", &Tally::states},
      {"Distinct restarts run (identical images at one time run once):", &Tally::restarts},
      {"States that recovered fewer commands than were acknowledged (within the promise):",
       &Tally::lost},
      {"Refused startups accepted (torn bytes Redis 7.0 calls 'Bad file format'):",
       &Tally::refused},
      {"Made-up bytes loaded as data (torn zeros inside a value; Redis 7.0 too; --strict):",
       &Tally::garbage}};
  std::string out;
  for (const GridSpec& g : kGrids) out += Grid(*this, groups, g.title, g.field) + "\n";
  out += "Crash points by the disk operation they preceded:";
  for (const auto& [op, n] : ops) out += " " + op + " " + std::to_string(n) + ",";
  if (!ops.empty()) out.pop_back();
  out += "\n";
  return out;
}

}  // namespace plab::crash
