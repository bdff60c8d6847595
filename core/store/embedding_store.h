#pragma once
// A finished embedding store (.h5ad), opened for reading (and for adding /obsm embeddings).
//
// The file is an AnnData file that anndata.read_h5ad and h5py open as it is: /X float32
// [n_sites, d] holds the raw embeddings, /obs the site metadata indexed by site_id, /var the
// feature names gandl_0..gandl_{d-1}, /obsm further embeddings of the same sites (normalized
// copies, baselines) and /uns/gandl the provenance. EmbeddingWriter makes such files; open() also
// reads dense AnnData files from other tools. open() refuses an unfinished store (a .partial, or
// uns/gandl/complete = 0). Every failure throws data::DataError naming the file and the problem.
//
// Matrices come back row-major, one row per site, in store order. An "embedding" argument names
// an /obsm entry; empty (or "X") means /X.

#include <Eigen/Core>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store/provenance.h"

namespace gandl::store {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct PlateKey {
  std::string experiment;
  int plate = 0;
  bool operator==(const PlateKey& other) const { return plate == other.plate && experiment == other.experiment; }
};

class EmbeddingStore {
 public:
  enum class Access { ReadOnly, ReadWrite };

  static EmbeddingStore open(const std::filesystem::path& path, Access access = Access::ReadOnly);
  ~EmbeddingStore();
  EmbeddingStore(EmbeddingStore&&) noexcept;
  EmbeddingStore& operator=(EmbeddingStore&&) noexcept;

  const std::filesystem::path& path() const;
  std::size_t size() const;       // sites (rows)
  std::size_t dimension() const;  // columns of /X
  const std::vector<std::string>& siteIds() const;
  const std::vector<std::string>& varNames() const;
  std::optional<std::size_t> rowOf(const std::string& site_id) const;

  // /obs columns in their column-order, without the site_id index.
  const std::vector<std::string>& obsColumns() const;
  bool isNumeric(const std::string& column) const;
  // Any column as text (integers in decimal, reals in shortest form, NaN as ""), rows
  // [first, first + count), count clipped to the end.
  std::vector<std::string> obsText(const std::string& column, std::size_t first = 0,
                                   std::size_t count = static_cast<std::size_t>(-1)) const;
  // A numeric column; throws for a text column.
  std::vector<double> obsNumbers(const std::string& column) const;

  std::size_t columns(const std::string& embedding = {}) const;
  RowMatrix readAll(const std::string& embedding = {}) const;
  RowMatrix readRange(std::size_t first, std::size_t count, const std::string& embedding = {}) const;
  // Rows in the order given (repeats allowed); reads each chunk of the file once.
  RowMatrix readRows(const std::vector<std::size_t>& rows, const std::string& embedding = {}) const;
  // One site; throws when the store does not hold it.
  Eigen::RowVectorXf row(const std::string& site_id, const std::string& embedding = {}) const;
  // The plates (obs experiment + plate) in order of first appearance, and the rows of one, in
  // store order (empty when the store has none of it). Both throw for a store without those
  // obs columns.
  const std::vector<PlateKey>& plates() const;
  // For every row, its plate's index in plates() (the plate ids analysis::normalize takes).
  const std::vector<int>& plateOfRow() const;
  const std::vector<std::size_t>& rowsOfPlate(const std::string& experiment, int plate) const;
  RowMatrix readPlate(const std::string& experiment, int plate, const std::string& embedding = {}) const;

  std::vector<std::string> obsmNames() const;
  RowMatrix readObsm(const std::string& name) const { return readAll(name); }
  // How an /obsm entry was made ("" when not recorded), from /uns/gandl/obsm_methods.
  std::string obsmMethod(const std::string& name) const;
  // Adds or replaces /obsm/<name> (size() rows) and records `method`. Needs Access::ReadWrite,
  // and HDF5 opens a file for writing only while no other handle in the process reads it.
  // The new matrix is written under a temporary name and linked into place only when whole, so an
  // interrupted write never leaves a half-written entry under `name`.
  void writeObsm(const std::string& name, const RowMatrix& values, const std::string& method);

  // The string and number entries of /uns/gandl.
  Provenance provenance() const;

 private:
  struct Impl;
  explicit EmbeddingStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gandl::store
