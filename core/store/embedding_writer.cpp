#include "core/store/embedding_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <stdexcept>

#include "core/data/data_error.h"
#include "core/store/h5ad_io.h"

namespace gandl::store {
namespace {

using data::Site;
using h5ad::Element;

// The obs columns, in this order, after the index site_id (RxRx19a's metadata columns + role).
struct ObsColumn {
  const char* name;
  Element element;
  std::string (*text)(const Site&);
  std::int64_t (*integer)(const Site&);
  double (*real)(const Site&);
};

const ObsColumn kObsColumns[] = {
    {"well_id", Element::Text, [](const Site& s) { return s.well_id; }, nullptr, nullptr},
    {"cell_type", Element::Text, [](const Site& s) { return s.cell_type; }, nullptr, nullptr},
    {"experiment", Element::Text, [](const Site& s) { return s.experiment; }, nullptr, nullptr},
    {"plate", Element::Int64, nullptr, [](const Site& s) -> std::int64_t { return s.plate; }, nullptr},
    {"well", Element::Text, [](const Site& s) { return s.well; }, nullptr, nullptr},
    {"site", Element::Int64, nullptr, [](const Site& s) -> std::int64_t { return s.site; }, nullptr},
    {"disease_condition", Element::Text, [](const Site& s) { return s.disease_condition; }, nullptr, nullptr},
    {"treatment", Element::Text, [](const Site& s) { return s.treatment; }, nullptr, nullptr},
    {"treatment_conc", Element::Float64, nullptr, nullptr, [](const Site& s) { return s.concentration_uM; }},
    {"SMILES", Element::Text, [](const Site& s) { return s.smiles; }, nullptr, nullptr},
    {"role", Element::Text, [](const Site& s) { return std::string(data::roleName(s.role)); }, nullptr, nullptr},
};
constexpr std::size_t kObsColumnCount = std::size(kObsColumns);
constexpr const char* kIndexName = "site_id";

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// h5py decodes every string as UTF-8; one bad byte would make the store unreadable in Python.
bool isValidUtf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xE  ? 3
                               : (lead >> 3) == 0x1E ? 4
                                                     : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    }
    i += length;
  }
  return true;
}

std::string storedCheckpoint(const std::optional<ProvenanceValue>& value) {
  return value ? toString(*value) : std::string();
}

}  // namespace

struct EmbeddingWriter::Impl {
  std::filesystem::path partial;
  h5::Handle file;
  h5::Handle matrix;
  h5::Handle index;
  std::vector<h5::Handle> columns;  // kObsColumns order
  h5::Handle provenance;            // /uns/gandl
  bool finished = false;
  bool broken = false;  // an append failed half-way; the file is valid up to n_sites

  void create(int dimension, Provenance values, std::vector<std::string> varNames);
  void resume(int dimension, const Provenance& values, std::unordered_set<std::string>& held);
  void closeAll() {
    columns.clear();
    index.reset();
    matrix.reset();
    provenance.reset();
    file.reset();
  }
};

void EmbeddingWriter::Impl::create(int dimension, Provenance values, std::vector<std::string> varNames) {
  file = h5::check(H5Fcreate(partial.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), "cannot create the file");
  const hid_t root = file.get();
  h5ad::setEncoding(root, h5ad::kAnnData);
  matrix = h5ad::createMatrix(root, "X", static_cast<hsize_t>(dimension));

  const h5::Handle obs = h5ad::createGroup(root, "obs", h5ad::kDataFrame);
  std::vector<std::string> order;
  for (const auto& column : kObsColumns) order.emplace_back(column.name);
  h5ad::initDataFrame(obs.get(), kIndexName, order);
  index = h5ad::createColumn(obs.get(), kIndexName, Element::Text);
  for (const auto& column : kObsColumns) {
    columns.push_back(h5ad::createColumn(obs.get(), column.name, column.element));
  }

  const h5::Handle var = h5ad::createGroup(root, "var", h5ad::kDataFrame);
  h5ad::initDataFrame(var.get(), "_index", {});
  if (varNames.empty())
    for (int i = 0; i < dimension; ++i) varNames.push_back("gandl_" + std::to_string(i));
  h5::appendStrings(h5ad::createColumn(var.get(), "_index", Element::Text).get(), varNames);

  // The empty mappings anndata itself writes, so that the file is one anndata would write.
  for (const char* name : {"obsm", "obsp", "varm", "varp", "layers"}) {
    h5ad::createGroup(root, name, h5ad::kDict);
  }
  const h5::Handle uns = h5ad::createGroup(root, "uns", h5ad::kDict);
  provenance = h5ad::createGroup(uns.get(), "gandl", h5ad::kDict);
  values.try_emplace("created_at", utcNow());
  values["complete"] = std::int64_t{0};
  values["n_sites"] = std::int64_t{0};
  for (const auto& [key, value] : values) h5ad::writeScalar(provenance.get(), key, value);
  h5::checkStatus(H5Fflush(root, H5F_SCOPE_LOCAL), "cannot flush the file");
}

void EmbeddingWriter::Impl::resume(int dimension, const Provenance& values, std::unordered_set<std::string>& held) {
  file =
      h5::check(H5Fopen(partial.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "cannot resume (delete the file to start again)");
  const hid_t root = file.get();
  for (const char* path : {"X", "obs/site_id", "uns/gandl/n_sites"}) {
    if (!h5::exists(root, path)) {
      throw h5::Failure(std::string("cannot resume: it has no /") + path +
                        ", so it was not written by this program (delete it to start again)");
    }
  }
  matrix = h5::openDataset(root, "X");
  const auto dims = h5::shape(matrix.get());
  if (dims.size() != 2 || dims[1] != static_cast<hsize_t>(dimension)) {
    throw h5::Failure("cannot resume: it holds " + (dims.size() == 2 ? std::to_string(dims[1]) : std::string("?")) +
                      "-d embeddings and this run makes " + std::to_string(dimension) +
                      "-d ones (delete it to start again)");
  }
  provenance = h5::openGroup(root, "uns/gandl");
  const auto wanted = values.find(kCheckpointHashKey);
  const std::string expected = wanted == values.end() ? std::string() : toString(wanted->second);
  const std::string stored = h5::exists(provenance.get(), kCheckpointHashKey)
                                 ? storedCheckpoint(h5ad::readScalar(provenance.get(), kCheckpointHashKey))
                                 : std::string();
  if (stored != expected) {
    throw h5::Failure("cannot resume: it was written with checkpoint_hash '" + stored + "' and this run uses '" +
                      expected + "' (use the same checkpoint, or delete the file to start again)");
  }

  const auto wantedScreen = values.find(kScreenHashKey);
  if (wantedScreen != values.end() && h5::exists(provenance.get(), kScreenHashKey)) {
    const std::string storedScreen = storedCheckpoint(h5ad::readScalar(provenance.get(), kScreenHashKey));
    if (storedScreen != toString(wantedScreen->second)) {
      throw h5::Failure("cannot resume: it embeds another screen (screen_hash '" + storedScreen + "', this run's '" +
                        toString(wantedScreen->second) +
                        "': other metadata or images); embed that screen, or delete the file to start again");
    }
  }

  const auto committed = h5ad::readScalar(provenance.get(), "n_sites");
  if (!committed || !std::holds_alternative<std::int64_t>(*committed) || std::get<std::int64_t>(*committed) < 0) {
    throw h5::Failure("cannot resume: /uns/gandl/n_sites is not a count");
  }
  const auto rows = static_cast<hsize_t>(std::get<std::int64_t>(*committed));
  const h5::Handle obs = h5::openGroup(root, "obs");
  index = h5::openDataset(obs.get(), kIndexName);
  for (const auto& column : kObsColumns) {
    columns.push_back(h5::openDataset(obs.get(), column.name));
  }
  // Rows past n_sites belong to the plate that was in flight when the last run stopped.
  std::vector<hid_t> growing{matrix.get(), index.get()};
  for (const auto& column : columns) growing.push_back(column.get());
  for (const hid_t dataset : growing) {
    const hsize_t length = h5::shape(dataset).at(0);
    if (length < rows) {
      throw h5::Failure("cannot resume: it is damaged (n_sites is " + std::to_string(rows) + " but a dataset has " +
                        std::to_string(length) + " rows); delete it to start again");
    }
    if (length > rows) h5::truncate(dataset, rows);
  }
  for (auto& id : h5::readStrings(index.get(), 0, rows)) held.insert(std::move(id));
  h5ad::writeScalar(provenance.get(), "complete", std::int64_t{0});
  h5::checkStatus(H5Fflush(root, H5F_SCOPE_LOCAL), "cannot flush the file");
}

EmbeddingWriter::EmbeddingWriter(std::filesystem::path path, int dimension, Provenance provenance,
                                 std::vector<std::string> varNames)
    : path_(std::move(path)), dimension_(dimension), impl_(std::make_unique<Impl>()) {
  impl_->partial = partialPath(path_);
  if (dimension_ <= 0) {
    throw data::DataError(impl_->partial.string(),
                          "embedding dimension must be positive, got " + std::to_string(dimension));
  }
  if (!varNames.empty() && varNames.size() != static_cast<std::size_t>(dimension_)) {
    throw data::DataError(impl_->partial.string(), std::to_string(varNames.size()) + " feature names for " +
                                                       std::to_string(dimension_) + " features");
  }
  h5::guarded(impl_->partial, [&] {
    resumed_ = std::filesystem::exists(impl_->partial);
    if (resumed_) {
      impl_->resume(dimension_, provenance, held_);
      return;
    }
    try {
      impl_->create(dimension_, std::move(provenance), std::move(varNames));
    } catch (...) {
      // A store that failed to take shape (full disk...) is no run to resume.
      impl_->closeAll();
      std::error_code ignored;
      std::filesystem::remove(impl_->partial, ignored);
      throw;
    }
  });
}

EmbeddingWriter::~EmbeddingWriter() = default;

std::filesystem::path EmbeddingWriter::partialPath(const std::filesystem::path& path) {
  return std::filesystem::path(path.string() + kPartialSuffix);
}

void EmbeddingWriter::append(const std::vector<data::Site>& sites, const float* rows) {
  std::vector<const data::Site*> pointers;
  pointers.reserve(sites.size());
  for (const auto& site : sites) pointers.push_back(&site);
  append(pointers, rows);
}

void EmbeddingWriter::append(const std::vector<const data::Site*>& sites, const float* rows) {
  const std::string file = impl_->partial.string();
  if (impl_->finished) throw std::logic_error(file + ": append after finish()");
  if (impl_->broken) {
    throw data::DataError(file,
                          "an earlier append failed; open a new writer to resume from the "
                          "last complete plate");
  }
  if (sites.empty()) return;
  if (!rows) throw std::invalid_argument(file + ": append without embedding rows");

  std::unordered_set<std::string> batch;
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> texts(kObsColumnCount);
  std::vector<std::vector<std::int64_t>> integers(kObsColumnCount);
  std::vector<std::vector<double>> reals(kObsColumnCount);
  for (const Site* site : sites) {
    if (!site) throw std::invalid_argument(file + ": append with a null site");
    const std::string& id = site->site_id;
    if (id.empty()) throw data::DataError(file, "a site to append has an empty site_id");
    if (contains(id)) throw data::DataError(file, "site '" + id + "' is already in the store");
    if (!batch.insert(id).second) {
      throw data::DataError(file, "site '" + id + "' appears twice in one append");
    }
    if (!isValidUtf8(id)) throw data::DataError(file, "site_id '" + id + "' is not valid UTF-8");
    ids.push_back(id);
    for (std::size_t c = 0; c < kObsColumnCount; ++c) {
      const ObsColumn& column = kObsColumns[c];
      switch (column.element) {
        case Element::Text: {
          std::string value = column.text(*site);
          if (!isValidUtf8(value)) {
            std::string problem = "site '" + id + "': ";
            problem.append(column.name).append(" '").append(value).append("' is not valid UTF-8");
            throw data::DataError(file, problem);
          }
          texts[c].push_back(std::move(value));
          break;
        }
        case Element::Int64:
          integers[c].push_back(column.integer(*site));
          break;
        case Element::Float64:
          reals[c].push_back(column.real(*site));
          break;
      }
    }
  }

  h5::guarded(impl_->partial, [&] {
    impl_->broken = true;
    h5::appendRows(impl_->matrix.get(), rows, sites.size());
    h5::appendStrings(impl_->index.get(), ids);
    for (std::size_t c = 0; c < kObsColumnCount; ++c) {
      const hid_t dataset = impl_->columns[c].get();
      switch (kObsColumns[c].element) {
        case Element::Text:
          h5::appendStrings(dataset, texts[c]);
          break;
        case Element::Int64:
          h5::appendIntegers(dataset, integers[c]);
          break;
        case Element::Float64:
          h5::appendReals(dataset, reals[c]);
          break;
      }
    }
    // n_sites last: a run killed before this flush resumes without the rows just written.
    const auto total = static_cast<std::int64_t>(held_.size() + sites.size());
    h5ad::writeScalar(impl_->provenance.get(), "n_sites", total);
    h5::checkStatus(H5Fflush(impl_->file.get(), H5F_SCOPE_LOCAL), "cannot flush the file");
    impl_->broken = false;
  });
  for (auto& id : ids) held_.insert(std::move(id));
}

namespace {

// Pushes a file's data (or a directory's entries) to the disk before the rename publishes it.
void syncToDisk(const std::filesystem::path& path, int flags) {
  const int descriptor = ::open(path.c_str(), flags);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

}  // namespace

void EmbeddingWriter::finish() {
  const std::string file = impl_->partial.string();
  if (impl_->finished) throw std::logic_error(file + ": finish() called twice");
  if (impl_->broken) {
    throw data::DataError(file, "an earlier append failed; the store cannot be finished");
  }
  h5::guarded(impl_->partial, [&] {
    const hid_t group = impl_->provenance.get();
    h5ad::writeScalar(group, "n_sites", static_cast<std::int64_t>(held_.size()));
    h5ad::writeScalar(group, "finished_at", utcNow());
    h5ad::writeScalar(group, "complete", std::int64_t{1});
    const hid_t handle = impl_->file.release();
    impl_->closeAll();
    h5::checkStatus(H5Fclose(handle), "cannot close the file");
  });
  syncToDisk(impl_->partial, O_RDONLY);
  std::error_code error;
  std::filesystem::rename(impl_->partial, path_, error);
  if (error) {
    throw data::DataError(path_.string(), "cannot rename " + file + " into place: " + error.message());
  }
  syncToDisk(path_.parent_path().empty() ? "." : path_.parent_path(), O_RDONLY | O_DIRECTORY);
  impl_->finished = true;
}

}  // namespace gandl::store
