#include "core/store/csv_export.h"

#include <algorithm>

#include "core/common/atomic_file.h"
#include "core/data/csv.h"

namespace gandl::store {
namespace {

// Rows per block: bounds memory on stores of hundreds of thousands of sites.
constexpr std::size_t kBlockRows = 4096;

}  // namespace

void exportCsv(const EmbeddingStore& store, const std::filesystem::path& csv, const std::string& embedding,
               const tasks::TaskContext& context) {
  const bool raw = embedding.empty() || embedding == "X";
  const std::size_t columns = store.columns(embedding);
  std::vector<std::string> header{"site_id"};
  const auto& obs = store.obsColumns();
  // CSV exports carry units in column names (DESIGN section 3); the store keeps RxRx's names.
  for (const auto& column : obs) header.push_back(column == "treatment_conc" ? "treatment_conc_uM" : column);
  for (std::size_t j = 0; j < columns; ++j) {
    header.push_back(raw ? store.varNames()[j] : embedding + "_" + std::to_string(j));
  }

  common::AtomicFile file(csv);
  std::ostream& out = file.stream();
  out << data::csvRow(header);
  const std::size_t total = store.size();
  std::vector<std::string> fields(header.size());
  for (std::size_t first = 0; first < total; first += kBlockRows) {
    context.checkCancelled();
    context.report(static_cast<std::int64_t>(first), static_cast<std::int64_t>(total), "sites",
                   "exporting " + csv.filename().string());
    const std::size_t count = std::min(kBlockRows, total - first);
    std::vector<std::vector<std::string>> obsValues;
    obsValues.reserve(obs.size());
    for (const auto& column : obs) obsValues.push_back(store.obsText(column, first, count));
    const RowMatrix values = store.readRange(first, count, embedding);
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t field = 0;
      fields[field++] = store.siteIds()[first + i];
      for (const auto& column : obsValues) fields[field++] = column[i];
      for (std::size_t j = 0; j < columns; ++j) {
        fields[field++] = formatReal(values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
      }
      out << data::csvRow(fields);
    }
  }
  file.commit();
  context.report(static_cast<std::int64_t>(total), static_cast<std::int64_t>(total), "sites",
                 "exported " + csv.filename().string());
}

}  // namespace gandl::store
