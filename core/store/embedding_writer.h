#pragma once
// Writes an embedding store plate by plate, so that a long embedding run can be killed at any
// instant (kill -9, power loss, a full disk) and resumed, losing at most the plate in flight.
//
// Nothing is written in place. "<path>.partial/" is a journal folder: journal.json (dimension,
// feature names, provenance) and one file per appended plate, plate-<n>.rows (the plate's obs
// columns and float32 rows, with a CRC-32 of the whole file), each written under a temporary
// name, synced to disk and only then renamed into place, so a plate file either is whole or does
// not exist. A writer opened on an existing journal resumes it: it verifies every plate file,
// drops a damaged one (its sites are embedded again; warnings() says so) and temporary leftovers,
// tells which site_ids it already holds, and refuses to mix embeddings of another dimension, another
// checkpoint or another screen. finish() assembles the AnnData file from the plate files inside the
// journal, seals it (a checksum in its HDF5 user block, store_seal.h), syncs it and renames it onto
// <path>; until that moment an older file at <path> stays as it was, and a run that never finishes
// leaves no file at <path>. A full disk at finish() keeps the journal: free space and run again.
// The journal is locked (flock) while a writer holds it: two runs cannot write one store.

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/data/screen.h"
#include "core/store/provenance.h"

namespace gandl::store {

// Suffix of the journal of a store being written; EmbeddingStore::open refuses such a path.
inline constexpr const char* kPartialSuffix = ".partial";

class EmbeddingWriter {
 public:
  // Creates the journal <path>.partial/, or resumes it when it exists. `provenance` goes to
  // /uns/gandl (created_at is added when absent); on resume the stored provenance is kept and its
  // checkpoint_hash (and screen_hash, when both record one) must equal provenance's. Throws
  // data::DataError naming the file and both values when the dimension or the checkpoint differ,
  // when the journal is unreadable or held by another process.
  // `varNames` name the features (/var/_index, the columns of exported CSVs); empty: gandl_<i>.
  EmbeddingWriter(std::filesystem::path path, int dimension, Provenance provenance = {},
                  std::vector<std::string> varNames = {});
  // Leaves the journal for a later run to resume unless finish() succeeded.
  ~EmbeddingWriter();
  EmbeddingWriter(const EmbeddingWriter&) = delete;
  EmbeddingWriter& operator=(const EmbeddingWriter&) = delete;

  static std::filesystem::path partialPath(const std::filesystem::path& path);

  const std::filesystem::path& path() const noexcept { return path_; }
  int dimension() const noexcept { return dimension_; }
  bool resumed() const noexcept { return resumed_; }
  // What resuming found and repaired (a damaged plate file dropped...), one sentence each.
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }
  std::size_t size() const noexcept { return held_.size(); }
  bool contains(const std::string& site_id) const { return held_.count(site_id) > 0; }
  const std::unordered_set<std::string>& heldSiteIds() const noexcept { return held_; }

  // Appends one row per site; `rows` is sites.size() x dimension(), row-major. Throws (and
  // writes nothing) when a site is already held or appears twice, or when a text field is not
  // valid UTF-8. The plate is on disk when append() returns; a failure (full disk) leaves the
  // journal as it was, and the writer can go on.
  void append(const std::vector<const data::Site*>& sites, const float* rows);
  void append(const std::vector<data::Site>& sites, const float* rows);

  // Writes the AnnData file (complete = 1, n_sites, finished_at), seals it, renames it onto
  // path() and removes the journal. The writer accepts nothing afterwards.
  void finish();

 private:
  struct Impl;
  std::filesystem::path path_;
  int dimension_ = 0;
  bool resumed_ = false;
  std::unordered_set<std::string> held_;
  std::vector<std::string> warnings_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::store
