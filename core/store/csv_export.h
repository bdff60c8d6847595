#pragma once
// `gandl export --embeddings F.h5ad --csv OUT.csv`: one row per site, the site metadata then the
// embedding, for spreadsheets and tools that do not read HDF5.

#include <filesystem>
#include <string>

#include "core/store/embedding_store.h"
#include "core/tasks/progress.h"

namespace gandl::store {

// Header: site_id, the obs columns in store order, then the var names (gandl_0..) for /X or
// <name>_0.. for an /obsm entry. UTF-8, "." decimal point, shortest round-trip numbers, NaN as an
// empty field. Written to a temporary file and renamed, so a failed or cancelled export leaves
// any older `csv` as it was. `embedding`: an /obsm name, empty for /X.
void exportCsv(const EmbeddingStore& store, const std::filesystem::path& csv, const std::string& embedding = {},
               const tasks::TaskContext& context = {});

}  // namespace gandl::store
