#include "core/store/embedding_store.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "core/common/atomic_file.h"
#include "core/common/fault_injection.h"
#include "core/data/data_error.h"
#include "core/store/embedding_writer.h"
#include "core/store/h5ad_io.h"
#include "core/store/store_seal.h"

namespace gandl::store {
namespace {

constexpr const char* kMethodsGroup = "obsm_methods";

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> asText(h5ad::ColumnValues values) {
  if (auto* texts = std::get_if<std::vector<std::string>>(&values)) return std::move(*texts);
  std::vector<std::string> out;
  if (const auto* integers = std::get_if<std::vector<std::int64_t>>(&values)) {
    for (const std::int64_t value : *integers) out.push_back(std::to_string(value));
  } else {
    for (const double value : std::get<std::vector<double>>(values)) {
      out.push_back(formatReal(value));
    }
  }
  return out;
}

}  // namespace

struct EmbeddingStore::Impl {
  std::filesystem::path path;
  bool writable = false;
  bool sealed = false;
  h5::Handle file;
  h5::Handle matrix;
  h5::Handle obs;
  std::size_t rows = 0;
  std::size_t dimension = 0;
  std::vector<std::string> siteIds;
  std::unordered_map<std::string, std::size_t> rowOfSite;
  std::vector<std::string> varNames;
  std::vector<std::string> obsColumns;
  bool hasPlates = false;
  std::vector<PlateKey> plates;
  std::vector<int> plateOfRow;
  std::map<std::pair<std::string, int>, std::vector<std::size_t>> rowsOfPlate;

  void load();
  void indexPlates();
  // (Re)opens the file read-only and the handles load() uses.
  void reopen() {
    obs.reset();
    matrix.reset();
    file.reset();
    file = h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open");
    matrix = h5::openDataset(file.get(), "X");
    obs = h5::openGroup(file.get(), "obs");
  }
  // /X for an empty name or "X", else /obsm/<name>; throws when absent.
  hid_t embedding(const std::string& name, h5::Handle& holder) const;
  void requireColumn(const std::string& column) const {
    if (std::find(obsColumns.begin(), obsColumns.end(), column) == obsColumns.end()) {
      throw h5::Failure("has no obs column '" + column + "'");
    }
  }
};

void EmbeddingStore::Impl::load() {
  const hid_t root = file.get();
  if (!h5::exists(root, "X")) {
    throw h5::Failure("has no /X matrix, so it is not an AnnData embedding store");
  }
  const std::string encoding = h5ad::encodingType(h5::openObject(root, "X").get());
  if (encoding == "csr_matrix" || encoding == "csc_matrix") {
    throw h5::Failure("/X is a sparse " + encoding + "; embeddings need a dense /X");
  }
  matrix = h5::openDataset(root, "X");
  const auto dims = h5::shape(matrix.get());
  if (dims.size() != 2) throw h5::Failure("/X is not a matrix");
  rows = dims[0];
  dimension = dims[1];

  if (h5::exists(root, "uns/gandl/complete")) {
    const h5::Handle gandl = h5::openGroup(root, "uns/gandl");
    const auto complete = h5ad::readScalar(gandl.get(), "complete");
    if (complete && std::holds_alternative<std::int64_t>(*complete) && std::get<std::int64_t>(*complete) == 0) {
      throw h5::Failure(
          "is incomplete: the run that wrote it did not finish "
          "(uns/gandl/complete = 0)");
    }
  }

  obs = h5::openGroup(root, "obs");
  const std::string indexName = h5ad::stringAttribute(obs.get(), "_index");
  const h5::Handle index = h5::openDataset(obs.get(), indexName);
  siteIds = h5::readStrings(index.get());
  if (siteIds.size() != rows) {
    throw h5::Failure("/obs has " + std::to_string(siteIds.size()) + " rows but /X has " + std::to_string(rows));
  }
  rowOfSite.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto [first, added] = rowOfSite.emplace(siteIds[i], i);
    if (!added)
      throw h5::Failure("site_id '" + siteIds[i] + "' appears twice in /obs (rows " + std::to_string(first->second) +
                        " and " + std::to_string(i) + "); a store holds one row per site");
  }
  obsColumns = h5ad::columnOrder(obs.get());
  indexPlates();

  const h5::Handle var = h5::openGroup(root, "var");
  const h5::Handle varIndex = h5::openDataset(var.get(), h5ad::stringAttribute(var.get(), "_index"));
  varNames = h5::readStrings(varIndex.get());
  if (varNames.size() != dimension) {
    throw h5::Failure("/var has " + std::to_string(varNames.size()) + " rows but /X has " + std::to_string(dimension) +
                      " columns");
  }
}

// Analysis works plate by plate (normalization on each plate's controls): index them once.
void EmbeddingStore::Impl::indexPlates() {
  const auto has = [&](const char* column) {
    return std::find(obsColumns.begin(), obsColumns.end(), column) != obsColumns.end();
  };
  hasPlates = has("experiment") && has("plate") && h5ad::isNumericColumn(obs.get(), "plate");
  if (!hasPlates) return;
  const auto experiments = asText(h5ad::readColumn(obs.get(), "experiment"));
  const auto numbers = h5::readIntegers(h5::openDataset(obs.get(), "plate").get());
  std::map<std::pair<std::string, int>, int> indexOfPlate;
  plateOfRow.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const int plate = static_cast<int>(numbers[i]);
    const auto [it, added] = indexOfPlate.try_emplace({experiments[i], plate}, static_cast<int>(plates.size()));
    if (added) plates.push_back({experiments[i], plate});
    plateOfRow.push_back(it->second);
    rowsOfPlate[it->first].push_back(i);
  }
}

hid_t EmbeddingStore::Impl::embedding(const std::string& name, h5::Handle& holder) const {
  if (name.empty() || name == "X") return matrix.get();
  const std::string obsmPath = "obsm/" + name;
  if (endsWith(name, kPartialSuffix) || !h5::exists(file.get(), obsmPath)) {
    throw h5::Failure("has no embedding /obsm/" + name);
  }
  holder = h5::openDataset(file.get(), obsmPath);
  const auto dims = h5::shape(holder.get());
  if (dims.size() != 2 || dims[0] != rows) {
    throw h5::Failure("/obsm/" + name + " is not a matrix with one row per site");
  }
  return holder.get();
}

EmbeddingStore::EmbeddingStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddingStore::~EmbeddingStore() = default;
EmbeddingStore::EmbeddingStore(EmbeddingStore&&) noexcept = default;
EmbeddingStore& EmbeddingStore::operator=(EmbeddingStore&&) noexcept = default;

EmbeddingStore EmbeddingStore::open(const std::filesystem::path& path, Access access) {
  const std::string file = path.string();
  if (endsWith(file, kPartialSuffix)) {
    throw data::DataError(file,
                          "is an unfinished store; run the command that writes it again to "
                          "resume and finish it");
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw data::DataError(file, std::filesystem::exists(path, error) ? "is not a regular file" : "no such file");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->writable = access == Access::ReadWrite;
  h5::guarded(path, [&] {
    // The seal first: a damaged file must never reach HDF5's parser.
    impl->sealed = seal::verify(path) == seal::State::Verified;
    if (H5Fis_hdf5(file.c_str()) <= 0) {
      throw h5::Failure("is not an HDF5 file (an .h5ad embedding store was expected)");
    }
    // Always read-only: writeObsm() writes a copy and renames it into place.
    impl->file = h5::check(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open");
    impl->load();
  });
  return EmbeddingStore(std::move(impl));
}

const std::filesystem::path& EmbeddingStore::path() const { return impl_->path; }
std::size_t EmbeddingStore::size() const { return impl_->rows; }
std::size_t EmbeddingStore::dimension() const { return impl_->dimension; }
const std::vector<std::string>& EmbeddingStore::siteIds() const { return impl_->siteIds; }
const std::vector<std::string>& EmbeddingStore::varNames() const { return impl_->varNames; }
const std::vector<std::string>& EmbeddingStore::obsColumns() const { return impl_->obsColumns; }

std::optional<std::size_t> EmbeddingStore::rowOf(const std::string& site_id) const {
  const auto it = impl_->rowOfSite.find(site_id);
  if (it == impl_->rowOfSite.end()) return std::nullopt;
  return it->second;
}

bool EmbeddingStore::isNumeric(const std::string& column) const {
  return h5::guarded(impl_->path, [&] {
    impl_->requireColumn(column);
    return h5ad::isNumericColumn(impl_->obs.get(), column);
  });
}

std::vector<std::string> EmbeddingStore::obsText(const std::string& column, std::size_t first,
                                                 std::size_t count) const {
  return h5::guarded(impl_->path, [&] {
    impl_->requireColumn(column);
    first = std::min(first, impl_->rows);
    count = std::min(count, impl_->rows - first);
    if (count == 0) return std::vector<std::string>();
    return asText(h5ad::readColumn(impl_->obs.get(), column, first, count));
  });
}

std::vector<double> EmbeddingStore::obsNumbers(const std::string& column) const {
  return h5::guarded(impl_->path, [&] {
    impl_->requireColumn(column);
    auto values = h5ad::readColumn(impl_->obs.get(), column);
    if (auto* reals = std::get_if<std::vector<double>>(&values)) return std::move(*reals);
    if (const auto* integers = std::get_if<std::vector<std::int64_t>>(&values)) {
      return std::vector<double>(integers->begin(), integers->end());
    }
    throw h5::Failure("obs column '" + column + "' holds text, not numbers");
  });
}

std::size_t EmbeddingStore::columns(const std::string& embedding) const {
  return h5::guarded(impl_->path, [&] {
    h5::Handle holder;
    return static_cast<std::size_t>(h5::shape(impl_->embedding(embedding, holder)).at(1));
  });
}

RowMatrix EmbeddingStore::readAll(const std::string& embedding) const { return readRange(0, impl_->rows, embedding); }

RowMatrix EmbeddingStore::readRange(std::size_t first, std::size_t count, const std::string& embedding) const {
  return h5::guarded(impl_->path, [&] {
    h5::Handle holder;
    const hid_t dataset = impl_->embedding(embedding, holder);
    RowMatrix values(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(h5::shape(dataset).at(1)));
    h5::readRows(dataset, first, count, values.data());
    return values;
  });
}

RowMatrix EmbeddingStore::readRows(const std::vector<std::size_t>& rows, const std::string& embedding) const {
  return h5::guarded(impl_->path, [&] {
    h5::Handle holder;
    const hid_t dataset = impl_->embedding(embedding, holder);
    const auto columns = static_cast<Eigen::Index>(h5::shape(dataset).at(1));
    RowMatrix values(static_cast<Eigen::Index>(rows.size()), columns);
    for (const std::size_t row : rows) {
      if (row >= impl_->rows) {
        throw h5::Failure("row " + std::to_string(row) + " is out of range (the store has " +
                          std::to_string(impl_->rows) + " rows)");
      }
    }
    // Visit the wanted rows in file order and read, per chunk, the span from the first wanted row
    // to the last: one decompression per chunk, however scattered the rows.
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows[a] < rows[b]; });
    const std::size_t chunk = std::max<hsize_t>(1, h5::chunkRows(dataset));
    RowMatrix span;
    for (std::size_t begin = 0; begin < order.size();) {
      const std::size_t first = rows[order[begin]];
      std::size_t end = begin;
      while (end < order.size() && rows[order[end]] / chunk == first / chunk) ++end;
      const std::size_t last = rows[order[end - 1]];
      span.resize(static_cast<Eigen::Index>(last - first + 1), columns);
      h5::readRows(dataset, first, last - first + 1, span.data());
      for (std::size_t k = begin; k < end; ++k) {
        values.row(static_cast<Eigen::Index>(order[k])) = span.row(static_cast<Eigen::Index>(rows[order[k]] - first));
      }
      begin = end;
    }
    return values;
  });
}

Eigen::RowVectorXf EmbeddingStore::row(const std::string& site_id, const std::string& embedding) const {
  const auto index = rowOf(site_id);
  if (!index) throw data::DataError(impl_->path.string(), "has no site '" + site_id + "'");
  return readRange(*index, 1, embedding).row(0);
}

const std::vector<PlateKey>& EmbeddingStore::plates() const {
  if (!impl_->hasPlates) {
    throw data::DataError(impl_->path.string(),
                          "has no numeric obs column 'plate' beside "
                          "'experiment', so its plates are unknown");
  }
  return impl_->plates;
}

const std::vector<int>& EmbeddingStore::plateOfRow() const {
  plates();  // throws when the store has no plates
  return impl_->plateOfRow;
}

const std::vector<std::size_t>& EmbeddingStore::rowsOfPlate(const std::string& experiment, int plate) const {
  static const std::vector<std::size_t> none;
  plates();  // throws when the store has no plates
  const auto it = impl_->rowsOfPlate.find({experiment, plate});
  return it == impl_->rowsOfPlate.end() ? none : it->second;
}

RowMatrix EmbeddingStore::readPlate(const std::string& experiment, int plate, const std::string& embedding) const {
  return readRows(rowsOfPlate(experiment, plate), embedding);
}

std::vector<std::string> EmbeddingStore::obsmNames() const {
  return h5::guarded(impl_->path, [&] {
    std::vector<std::string> names;
    if (!h5::exists(impl_->file.get(), "obsm")) return names;
    const h5::Handle obsm = h5::openGroup(impl_->file.get(), "obsm");
    for (auto& name : h5::memberNames(obsm.get())) {
      if (!endsWith(name, kPartialSuffix)) names.push_back(std::move(name));
    }
    return names;
  });
}

std::string EmbeddingStore::obsmMethod(const std::string& name) const {
  return h5::guarded(impl_->path, [&] {
    const std::string group = std::string("uns/gandl/") + kMethodsGroup;
    if (!h5::exists(impl_->file.get(), group + "/" + name)) return std::string();
    const h5::Handle methods = h5::openGroup(impl_->file.get(), group);
    const auto value = h5ad::readScalar(methods.get(), name);
    return value ? toString(*value) : std::string();
  });
}

void EmbeddingStore::writeObsm(const std::string& name, const RowMatrix& values, const std::string& method) {
  const std::string file = impl_->path.string();
  if (!impl_->writable) {
    throw std::logic_error(file + ": writeObsm needs a store opened with Access::ReadWrite");
  }
  if (name.empty() || name == "X" || name.find('/') != std::string::npos || name[0] == '.' ||
      endsWith(name, kPartialSuffix)) {
    throw std::invalid_argument(file + ": '" + name + "' cannot name an /obsm entry");
  }
  if (static_cast<std::size_t>(values.rows()) != impl_->rows) {
    throw std::invalid_argument(file + ": /obsm/" + name + " needs " + std::to_string(impl_->rows) + " rows, got " +
                                std::to_string(values.rows()));
  }
  // Copy, change the copy, seal it, rename it into place: a crash or a full disk at any instant
  // leaves the store as it was or as it is after this call, never half-changed.
  const std::filesystem::path copy = common::temporarySibling(impl_->path);
  common::removeStaleTemporaries(impl_->path);
  try {
    h5::guarded(impl_->path, [&] {
      std::error_code error;
      std::filesystem::copy_file(impl_->path, copy, std::filesystem::copy_options::overwrite_existing, error);
      if (error) throw h5::Failure("cannot copy to " + copy.string() + ": " + error.message());
      {
        const h5::Handle changed = h5::check(H5Fopen(copy.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "cannot open the copy");
        const hid_t root = changed.get();
        const h5::Handle obsm = h5ad::openOrCreateDict(root, "obsm");
        if (h5::exists(obsm.get(), name)) h5::removeLink(obsm.get(), name);
        {
          const h5::Handle dataset = h5ad::createMatrix(obsm.get(), name, static_cast<hsize_t>(values.cols()));
          h5::appendRows(dataset.get(), values.data(), static_cast<hsize_t>(values.rows()));
        }
        const h5::Handle uns = h5ad::openOrCreateDict(root, "uns");
        const h5::Handle gandl = h5ad::openOrCreateDict(uns.get(), "gandl");
        const h5::Handle methods = h5ad::openOrCreateDict(gandl.get(), kMethodsGroup);
        h5ad::writeScalar(methods.get(), name, method);
        if (common::faultPoint("store-obsm-write")) throw h5::Failure("cannot write: No space left on device");
        h5::checkStatus(H5Fflush(root, H5F_SCOPE_LOCAL), "cannot write the copy");
      }
      if (impl_->sealed) {
        seal::write(copy);
      } else {
        common::syncFile(copy);
      }
    });
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(copy, ignored);
    throw;
  }
  common::faultPoint("store-obsm-rename");
  h5::guarded(impl_->path, [&] {
    std::error_code error;
    std::filesystem::rename(copy, impl_->path, error);
    if (error) throw h5::Failure("cannot rename " + copy.string() + " into place: " + error.message());
    common::syncDirectory(impl_->path.parent_path());
    impl_->reopen();
  });
}

Provenance EmbeddingStore::provenance() const {
  return h5::guarded(impl_->path, [&] {
    Provenance values;
    if (!h5::exists(impl_->file.get(), "uns/gandl")) return values;
    const h5::Handle gandl = h5::openGroup(impl_->file.get(), "uns/gandl");
    for (const auto& key : h5::memberNames(gandl.get())) {
      if (auto value = h5ad::readScalar(gandl.get(), key)) values.emplace(key, std::move(*value));
    }
    return values;
  });
}

}  // namespace gandl::store
