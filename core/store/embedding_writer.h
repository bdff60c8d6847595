#pragma once
// Writes an embedding store plate by plate, so that a long embedding run can be killed and resumed.
//
// Everything goes to "<path>.partial" first: an HDF5 file with the final AnnData layout whose /X
// and /obs columns grow with every append(). Each append() is flushed to the file, so a killed
// process loses at most the plate in flight, and /uns/gandl/n_sites records how many rows are
// whole. A writer opened on an existing .partial resumes it: it drops rows past n_sites, tells
// which site_ids it already holds, and refuses to mix embeddings of another dimension or another
// checkpoint. finish() marks the store complete and renames it onto <path>; until that moment an
// older file at <path> stays as it was, and a run that never finishes leaves no file at <path>.

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/data/screen.h"
#include "core/store/provenance.h"

namespace gandl::store {

// Suffix of a store being written; EmbeddingStore::open refuses such a file.
inline constexpr const char* kPartialSuffix = ".partial";

class EmbeddingWriter {
 public:
  // Creates <path>.partial, or resumes it when it exists. `provenance` goes to /uns/gandl
  // (created_at is added when absent); on resume the stored provenance is kept and its
  // checkpoint_hash must equal provenance's. Throws data::DataError naming the file and both
  // values when the dimension or the checkpoint differ, or when the .partial is damaged.
  // `varNames` name the features (/var/_index, the columns of exported CSVs); empty: gandl_<i>.
  EmbeddingWriter(std::filesystem::path path, int dimension, Provenance provenance = {},
                  std::vector<std::string> varNames = {});
  // Leaves the .partial for a later run to resume unless finish() succeeded.
  ~EmbeddingWriter();
  EmbeddingWriter(const EmbeddingWriter&) = delete;
  EmbeddingWriter& operator=(const EmbeddingWriter&) = delete;

  static std::filesystem::path partialPath(const std::filesystem::path& path);

  const std::filesystem::path& path() const noexcept { return path_; }
  int dimension() const noexcept { return dimension_; }
  bool resumed() const noexcept { return resumed_; }
  std::size_t size() const noexcept { return held_.size(); }
  bool contains(const std::string& site_id) const { return held_.count(site_id) > 0; }
  const std::unordered_set<std::string>& heldSiteIds() const noexcept { return held_; }

  // Appends one row per site; `rows` is sites.size() x dimension(), row-major. Throws (and
  // writes nothing) when a site is already held or appears twice, or when a text field is not
  // valid UTF-8. Flushes before returning.
  void append(const std::vector<const data::Site*>& sites, const float* rows);
  void append(const std::vector<data::Site>& sites, const float* rows);

  // Records complete = 1, n_sites and finished_at, closes the file and renames it onto path().
  // The writer accepts nothing afterwards.
  void finish();

 private:
  struct Impl;
  std::filesystem::path path_;
  int dimension_ = 0;
  bool resumed_ = false;
  std::unordered_set<std::string> held_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::store
