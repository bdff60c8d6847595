#pragma once
// The embeddings a store holds for analysis, and importing another store's as /obsm/<name>.

#include <filesystem>
#include <string>
#include <cstddef>
#include <vector>

#include "core/store/provenance.h"

namespace gandl::pipeline {

// Copies the embedding of another store of the same sites (matched by site_id, any order) into
// /obsm/<name> of `store`, recording where it came from; `analyze --compare NAME=FILE` does the
// same. Throws data::DataError naming `other` when it lacks a site of `store`.
void importEmbedding(const std::filesystem::path& store, const std::string& name, const std::filesystem::path& other);

// What importing a CSV of per-site embeddings found.
struct CsvImportReport {
  std::size_t matched = 0;         // store sites found in the file
  std::size_t missing = 0;         // store sites absent from the file (NaN rows with allowMissing)
  std::size_t unmatched = 0;       // file rows whose site_id the store does not hold (ignored)
  std::size_t features = 0;        // columns imported
  std::vector<std::string> notes;  // the first unmatched / missing ids, with file lines
};

// Imports per-site embeddings computed elsewhere (Recursion's published RxRx19a embeddings, any
// tool's CSV) into /obsm/<name>: a header row with a site_id column; every other column is a
// feature except the store's metadata columns (well_id, cell_type, ... role), which are ignored;
// features must be finite decimal numbers. Rows are matched by site_id in any order. Throws
// data::DataError naming the file, line, column and value for a malformed number, a duplicate
// site_id (both lines), no feature column, or (unless allowMissing) a store site the file lacks.
CsvImportReport importEmbeddingsCsv(const std::filesystem::path& store, const std::filesystem::path& csv,
                                    const std::string& name, bool allowMissing = false);

// The embeddings a store offers for analysis: "X" first, then the /obsm entries that are not
// normalized copies written by an analysis.
std::vector<std::string> analysableEmbeddings(const std::filesystem::path& store);

// What an embedder's store holds, in words, from its provenance: "GAN-DL FC-512 (demo, step
// 5000)", "GAN-DL multiscale (...)", "random-weight D FC-512", "intensity statistics".
std::string describeEmbedder(const store::Provenance& provenance);
// The same for an embedding of a store by name (X, or an /obsm entry; an imported one is
// described by the store it came from): what the views show instead of "X".
std::string embeddingLabel(const std::filesystem::path& store, const std::string& name);

}  // namespace gandl::pipeline
