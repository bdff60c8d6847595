#pragma once
// What `gandl inspect` and the GUI's screen browser report about a loaded screen: counts by
// experiment, plate, cell type and role, and every incomplete site with its reason.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/data/screen.h"

namespace gandl::data {

struct ScreenSummary {
  std::string root;
  std::string layout;
  std::vector<int> channel_map;
  std::size_t sites = 0;
  std::size_t complete = 0;
  std::size_t incomplete = 0;
  std::size_t wells = 0;
  std::size_t compounds = 0;  // distinct treatments
  std::map<std::string, std::size_t> by_experiment;
  std::map<std::string, std::size_t> by_plate;  // "<experiment>/Plate<N>"
  std::map<std::string, std::size_t> by_cell_type;
  std::map<std::string, std::size_t> by_role;
  std::map<std::string, std::size_t> by_condition;                    // disease_condition (RxRx19a) or well_type
  std::vector<std::pair<std::string, std::string>> incomplete_sites;  // site_id, reason
};

ScreenSummary summarize(const Screen& screen);
nlohmann::json toJson(const ScreenSummary& summary);
// A few aligned lines for a terminal.
std::string toText(const ScreenSummary& summary, std::size_t maxIncompleteListed = 20);

}  // namespace gandl::data
