#pragma once
// A screen as the rest of the program sees it: every site with its metadata, its role in the
// experiment and the image file of each of the five model channels, whatever layout it came in.

#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tasks/progress.h"

namespace gandl::data {

// RxRx19a disease_condition strings, exactly as Recursion spells them.
inline constexpr std::string_view kMock = "Mock";
inline constexpr std::string_view kUvInactivated = "UV Inactivated SARS-CoV-2";
inline constexpr std::string_view kActive = "Active SARS-CoV-2";

// The five stains GAN-DL sees, in model channel order.
inline constexpr int kModelChannels = 5;

enum class Role {
  PositiveControl,  // C+: uninfected (Mock, or UV-inactivated virus), untreated
  NegativeControl,  // C-: Active SARS-CoV-2, no treatment
  Compound,         // a treatment at a concentration
  Other,            // anything else (RxRx1 wells keep their well_type)
};
std::string_view roleName(Role role);  // "positive_control", "negative_control", "compound", "other"

enum class Layout { Auto, RxRx19a, RxRx1 };
std::string_view layoutName(Layout layout);  // "auto", "rxrx19a", "rxrx1"
Layout parseLayout(std::string_view name);   // throws std::invalid_argument

struct Site {
  std::string site_id;
  std::string well_id;
  std::string experiment;
  int plate = 0;
  std::string well;  // "B02", "AA17"
  int row = 0;       // 0-based (A = 0, AA = 26)
  int column = 0;    // 1-based
  int site = 0;
  std::string cell_type;
  std::string disease_condition;           // RxRx19a
  std::string treatment;                   // RxRx19a compound name, empty for controls
  double concentration_uM = std::nan("");  // NaN when the row has none
  std::string smiles;
  std::string dataset;    // RxRx1
  std::string well_type;  // RxRx1
  std::string sirna;      // RxRx1
  Role role = Role::Other;

  // One file per model channel (kModelChannels), after the layout's channel map.
  std::vector<std::filesystem::path> channel_files;
  // Empty when every channel file exists; otherwise why the site cannot be loaded.
  std::string incomplete_reason;

  bool complete() const { return incomplete_reason.empty(); }
  bool hasConcentration() const { return !std::isnan(concentration_uM); }
};

struct Screen {
  std::filesystem::path root;
  Layout layout = Layout::Auto;  // the detected or requested layout, never Auto once loaded
  // Source channel numbers (w<N>) feeding model channels 0..4, e.g. {1,2,3,4,5} or {1,2,3,4,6}.
  std::vector<int> channel_map;
  std::vector<Site> sites;  // in metadata order

  // nullptr when absent. O(1).
  const Site* find(std::string_view site_id) const;
  std::size_t completeCount() const;

  // Rebuilds the site_id index; call after editing `sites`.
  void reindex();

 private:
  std::unordered_map<std::string, std::size_t> index_;
};

// Reads <root>/metadata.csv and indexes the image files under <root>/images. Missing channel
// files mark a site incomplete (the screen still loads); malformed metadata throws DataError
// naming the file, line, column and value.
Screen loadScreen(const std::filesystem::path& root, Layout layout = Layout::Auto,
                  const tasks::TaskContext& context = {});

}  // namespace gandl::data
