#include "core/data/screen.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/data/well.h"

namespace gandl::data {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::PositiveControl:
      return "positive_control";
    case Role::NegativeControl:
      return "negative_control";
    case Role::Compound:
      return "compound";
    case Role::Other:
      return "other";
  }
  return "other";
}

std::string_view layoutName(Layout layout) {
  switch (layout) {
    case Layout::Auto:
      return "auto";
    case Layout::RxRx19a:
      return "rxrx19a";
    case Layout::RxRx1:
      return "rxrx1";
  }
  return "auto";
}

Layout parseLayout(std::string_view name) {
  if (name == "auto") return Layout::Auto;
  if (name == "rxrx19a") return Layout::RxRx19a;
  if (name == "rxrx1") return Layout::RxRx1;
  throw std::invalid_argument("unknown layout '" + std::string(name) + "'; expected auto, rxrx19a or rxrx1");
}

const Site* Screen::find(std::string_view site_id) const {
  const auto it = index_.find(std::string(site_id));
  return it == index_.end() ? nullptr : &sites[it->second];
}

std::size_t Screen::completeCount() const {
  std::size_t n = 0;
  for (const auto& site : sites) n += site.complete();
  return n;
}

void Screen::reindex() {
  index_.clear();
  index_.reserve(sites.size());
  for (std::size_t i = 0; i < sites.size(); ++i) index_.emplace(sites[i].site_id, i);
}

namespace {

// Column lookup for one layout: required columns throw when absent, optional ones are -1.
struct Columns {
  int site_id, well_id, cell_type, experiment, plate, well, site;
  int disease_condition = -1, treatment = -1, treatment_conc = -1, smiles = -1;
  int dataset = -1, well_type = -1, sirna = -1;
};

Layout detectLayout(const CsvTable& table) {
  if (table.column("disease_condition") >= 0) return Layout::RxRx19a;
  if (table.column("well_type") >= 0 || table.column("sirna") >= 0) return Layout::RxRx1;
  std::string seen;
  for (const auto& name : table.header) seen += (seen.empty() ? "" : ",") + name;
  throw DataError(table.source, 1, "", seen,
                  "an RxRx19a header (with disease_condition) or an RxRx1 header (with "
                  "well_type, sirna)");
}

Columns findColumns(const CsvTable& table, Layout layout) {
  Columns c{};
  c.site_id = table.requireColumn("site_id");
  c.well_id = table.requireColumn("well_id");
  c.cell_type = table.requireColumn("cell_type");
  c.experiment = table.requireColumn("experiment");
  c.plate = table.requireColumn("plate");
  c.well = table.requireColumn("well");
  c.site = table.requireColumn("site");
  if (layout == Layout::RxRx19a) {
    c.disease_condition = table.requireColumn("disease_condition");
    c.treatment = table.requireColumn("treatment");
    c.treatment_conc = table.requireColumn("treatment_conc");
    c.smiles = table.column("SMILES");
  } else {
    c.well_type = table.requireColumn("well_type");
    c.sirna = table.requireColumn("sirna");
    c.dataset = table.column("dataset");
  }
  return c;
}

int parsePositiveInt(const CsvTable& table, std::size_t row, int column) {
  const std::string& text = table.rows[row][column];
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0)
    throw DataError(table.source, table.lines[row], table.header[column], text, "a positive whole number");
  return value;
}

double parseConcentration(const CsvTable& table, std::size_t row, int column) {
  const std::string& text = table.rows[row][column];
  if (text.empty()) return std::nan("");
  // Decimal only (from_chars takes no hex "0x10", no "inf", no blanks, no "+"), as RxRx19a writes.
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    throw DataError(table.source, table.lines[row], table.header[column], text,
                    "a non-negative concentration in uM, or an empty field");
  return value;
}

Role roleOf(const Site& site, Layout layout) {
  if (layout != Layout::RxRx19a) return Role::Other;
  if (!site.treatment.empty()) return Role::Compound;
  if (site.disease_condition == kMock || site.disease_condition == kUvInactivated) return Role::PositiveControl;
  if (site.disease_condition == kActive) return Role::NegativeControl;
  return Role::Other;
}

// Lists every plate folder once instead of probing 5 files per site (1.5 M stat calls on RxRx19a).
class ImageIndex {
 public:
  explicit ImageIndex(std::filesystem::path images) : images_(std::move(images)) {}

  // Path of <well>_s<site>_w<channel> with a known image extension, or empty.
  std::filesystem::path find(const Site& site, int channel) {
    const auto folder = images_ / site.experiment / ("Plate" + std::to_string(site.plate));
    const auto& names = listing(folder);
    const std::string stem = site.well + "_s" + std::to_string(site.site) + "_w" + std::to_string(channel);
    for (const char* extension : {".png", ".tif", ".tiff"}) {
      const std::string name = stem + extension;
      if (names.count(name)) return folder / name;
    }
    return {};
  }

  bool folderExists(const Site& site) {
    std::error_code error;
    return std::filesystem::is_directory(images_ / site.experiment / ("Plate" + std::to_string(site.plate)), error);
  }

 private:
  const std::set<std::string>& listing(const std::filesystem::path& folder) {
    auto it = listings_.find(folder.string());
    if (it != listings_.end()) return it->second;
    std::set<std::string> names;
    std::error_code error;
    // Only regular files (through symbolic links) count as channel files: a folder, a FIFO, a
    // dangling link or a link loop under an image's name leaves the site incomplete instead of
    // failing the loader later.
    for (std::filesystem::directory_iterator entry(folder, error), end; !error && entry != end;
         entry.increment(error)) {
      std::error_code typeError;
      if (entry->is_regular_file(typeError) && !typeError) names.insert(entry->path().filename().string());
    }
    return listings_.emplace(folder.string(), std::move(names)).first->second;
  }

  std::filesystem::path images_;
  std::map<std::string, std::set<std::string>> listings_;
};

}  // namespace

Screen loadScreen(const std::filesystem::path& root, Layout layout, const tasks::TaskContext& context) {
  const auto metadataPath = root / "metadata.csv";
  if (!std::filesystem::is_directory(root))
    throw DataError(root.string(), "is not a folder; expected a screen folder with metadata.csv and images/");
  if (!std::filesystem::exists(metadataPath))
    throw DataError(metadataPath.string(),
                    "not found; a screen folder holds metadata.csv and images/<experiment>/Plate<N>/");
  if (!std::filesystem::is_regular_file(metadataPath))
    throw DataError(metadataPath.string(), "is not a file (a folder?); expected the screen's CSV metadata");
  context.report(0, 0, "sites", "reading " + metadataPath.string());
  const CsvTable table = readCsv(metadataPath);

  Screen screen;
  screen.root = root;
  screen.layout = layout == Layout::Auto ? detectLayout(table) : layout;
  // RxRx1 has six stains; MitoTracker (w5) has no RxRx19a counterpart and is dropped.
  screen.channel_map =
      screen.layout == Layout::RxRx1 ? std::vector<int>{1, 2, 3, 4, 6} : std::vector<int>{1, 2, 3, 4, 5};
  const Columns c = findColumns(table, screen.layout);
  auto optional = [&](std::size_t row, int column) { return column >= 0 ? table.rows[row][column] : std::string(); };

  ImageIndex images(root / "images");
  std::unordered_map<std::string, long> firstLine;
  firstLine.reserve(table.rows.size());
  // One field of view is one site: the same experiment, plate, well and site under two site_ids
  // would be embedded (and counted in every analysis) twice.
  std::unordered_map<std::string, std::pair<long, std::string>> firstOfPosition;
  firstOfPosition.reserve(table.rows.size());
  screen.sites.reserve(table.rows.size());
  const auto total = static_cast<std::int64_t>(table.rows.size());

  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& fields = table.rows[r];
    Site site;
    site.site_id = fields[c.site_id];
    if (site.site_id.empty()) throw DataError(table.source, table.lines[r], "site_id", "", "a non-empty site_id");
    const auto [previous, inserted] = firstLine.emplace(site.site_id, table.lines[r]);
    if (!inserted)
      throw DataError(table.source, table.lines[r], "site_id", site.site_id,
                      "a unique site_id (it is already on line " + std::to_string(previous->second) + ")");
    site.well_id = fields[c.well_id];
    site.cell_type = fields[c.cell_type];
    site.experiment = fields[c.experiment];
    // The experiment names a folder under images/: one plain name, never a path out of the screen.
    if (site.experiment.empty() || site.experiment == "." || site.experiment == ".." ||
        site.experiment.find_first_of("/\\") != std::string::npos || site.experiment.find('\0') != std::string::npos)
      throw DataError(table.source, table.lines[r], "experiment", site.experiment,
                      "a folder name under images/ (no '/', '\\', '.' or '..')");
    site.plate = parsePositiveInt(table, r, c.plate);
    site.well = fields[c.well];
    const auto position = parseWell(site.well);
    if (!position)
      throw DataError(table.source, table.lines[r], "well", site.well,
                      "a well name such as B02 or AA17 (one or two row letters, then a column number)");
    site.row = position->row;
    site.column = position->column;
    site.site = parsePositiveInt(table, r, c.site);
    {
      const std::string fieldOfView =
          site.experiment + '\0' + std::to_string(site.plate) + '\0' + site.well + '\0' + std::to_string(site.site);
      const auto [first, added] = firstOfPosition.try_emplace(fieldOfView, table.lines[r], site.site_id);
      if (!added)
        throw DataError(table.source, table.lines[r], "site_id", site.site_id,
                        "one site_id per field of view (" + site.experiment + " plate " + std::to_string(site.plate) +
                            " well " + site.well + " site " + std::to_string(site.site) + " is already site '" +
                            first->second.second + "' on line " + std::to_string(first->second.first) + ")");
    }
    site.disease_condition = optional(r, c.disease_condition);
    site.treatment = optional(r, c.treatment);
    if (c.treatment_conc >= 0) site.concentration_uM = parseConcentration(table, r, c.treatment_conc);
    site.smiles = optional(r, c.smiles);
    site.dataset = optional(r, c.dataset);
    site.well_type = optional(r, c.well_type);
    site.sirna = optional(r, c.sirna);
    site.role = roleOf(site, screen.layout);

    std::string missing;
    for (int channel : screen.channel_map) {
      auto path = images.find(site, channel);
      if (path.empty()) missing += (missing.empty() ? "w" : ", w") + std::to_string(channel);
      site.channel_files.push_back(std::move(path));
    }
    if (!missing.empty()) {
      site.incomplete_reason =
          images.folderExists(site)
              ? "missing channel file(s) " + missing + " for " + site.well + "_s" + std::to_string(site.site)
              : "folder images/" + site.experiment + "/Plate" + std::to_string(site.plate) + " not found";
    }
    screen.sites.push_back(std::move(site));
    if ((r + 1) % 20000 == 0) {
      context.checkCancelled();
      context.report(static_cast<std::int64_t>(r + 1), total, "sites", "indexing sites");
    }
  }
  if (screen.sites.empty()) throw DataError(metadataPath.string(), "has a header but no site rows");
  screen.reindex();
  context.report(total, total, "sites", "screen loaded");
  return screen;
}

}  // namespace gandl::data
