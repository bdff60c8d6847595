#include "core/data/screen_summary.h"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace gandl::data {

ScreenSummary summarize(const Screen& screen) {
  ScreenSummary summary;
  summary.root = screen.root.string();
  summary.layout = std::string(layoutName(screen.layout));
  summary.channel_map = screen.channel_map;
  summary.sites = screen.sites.size();
  std::set<std::string> wells;
  std::set<std::string> compounds;
  for (const auto& site : screen.sites) {
    if (site.complete()) {
      ++summary.complete;
    } else {
      ++summary.incomplete;
      summary.incomplete_sites.emplace_back(site.site_id, site.incomplete_reason);
    }
    wells.insert(site.well_id);
    if (!site.treatment.empty()) compounds.insert(site.treatment);
    ++summary.by_experiment[site.experiment];
    ++summary.by_plate[site.experiment + "/Plate" + std::to_string(site.plate)];
    ++summary.by_cell_type[site.cell_type];
    ++summary.by_role[std::string(roleName(site.role))];
    const std::string& condition = screen.layout == Layout::RxRx1 ? site.well_type : site.disease_condition;
    ++summary.by_condition[condition.empty() ? "(empty)" : condition];
  }
  summary.wells = wells.size();
  summary.compounds = compounds.size();
  return summary;
}

nlohmann::json toJson(const ScreenSummary& s) {
  nlohmann::json incomplete = nlohmann::json::array();
  for (const auto& [id, reason] : s.incomplete_sites) incomplete.push_back({{"site_id", id}, {"reason", reason}});
  return {{"root", s.root},
          {"layout", s.layout},
          {"channel_map", s.channel_map},
          {"sites", s.sites},
          {"complete_sites", s.complete},
          {"incomplete_sites", s.incomplete},
          {"wells", s.wells},
          {"compounds", s.compounds},
          {"by_experiment", s.by_experiment},
          {"by_plate", s.by_plate},
          {"by_cell_type", s.by_cell_type},
          {"by_role", s.by_role},
          {"by_condition", s.by_condition},
          {"incomplete", incomplete}};
}

namespace {

void table(std::ostringstream& out, const char* title, const std::map<std::string, std::size_t>& counts) {
  out << title << ":\n";
  for (const auto& [name, n] : counts) out << "  " << name << ": " << n << "\n";
}

}  // namespace

std::string toText(const ScreenSummary& s, std::size_t maxIncompleteListed) {
  std::ostringstream out;
  out << "screen   " << s.root << "\n"
      << "layout   " << s.layout << " (model channels from w";
  for (std::size_t i = 0; i < s.channel_map.size(); ++i) out << (i ? ",w" : "") << s.channel_map[i];
  out << ")\n"
      << "sites    " << s.sites << " (" << s.complete << " complete, " << s.incomplete << " incomplete)\n"
      << "wells    " << s.wells << "\n"
      << "compounds " << s.compounds << "\n";
  table(out, "by experiment", s.by_experiment);
  table(out, "by plate", s.by_plate);
  table(out, "by cell type", s.by_cell_type);
  table(out, "by role", s.by_role);
  table(out, "by condition", s.by_condition);
  if (!s.incomplete_sites.empty()) {
    out << "incomplete sites:\n";
    for (std::size_t i = 0; i < s.incomplete_sites.size() && i < maxIncompleteListed; ++i)
      out << "  " << s.incomplete_sites[i].first << ": " << s.incomplete_sites[i].second << "\n";
    if (s.incomplete_sites.size() > maxIncompleteListed)
      out << "  ... and " << s.incomplete_sites.size() - maxIncompleteListed << " more (--json lists all)\n";
  }
  return out.str();
}

}  // namespace gandl::data
