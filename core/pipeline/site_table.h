#pragma once
// The /obs columns of an embedding store that the analyses and the panels use.

#include <filesystem>
#include <string>
#include <vector>

namespace gandl::pipeline {

// The /obs columns the analyses and the panels use, one entry per store row.
struct SiteTable {
  enum class Role { PositiveControl, NegativeControl, Compound, Other };
  std::vector<std::string> siteId, wellId, experiment, well, cellType, diseaseCondition, treatment;
  std::vector<int> plate, site;
  std::vector<double> concentrationMicromolar;  // NaN where none
  std::vector<Role> role;
  // Cells per site, a viability readout (NaN where unknown): the obs column cell_count when the
  // store has one, else the nuclei count (objects_w1: Otsu objects of the Hoechst channel at
  // native resolution) of an intensity embedding in /X or /obsm/intensity. Where it came from:
  std::vector<double> cellCount;
  std::string cellCountSource;  // "" when unknown
  // Plates as "experiment/Plate<N>" in store order, and each row's index into it.
  std::vector<std::string> plateNames;
  std::vector<int> plateOfRow;
  std::size_t size() const { return siteId.size(); }
};

// Reads the store's obs columns. Throws data::DataError for a store without site metadata.
SiteTable readSiteTable(const std::filesystem::path& store);

}  // namespace gandl::pipeline
