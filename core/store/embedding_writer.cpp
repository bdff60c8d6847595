#include "core/store/embedding_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "core/common/atomic_file.h"
#include "core/common/fault_injection.h"
#include "core/common/file_lock.h"
#include "core/data/data_error.h"
#include "core/store/h5ad_io.h"
#include "core/store/store_seal.h"

namespace gandl::store {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

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

constexpr const char* kJournalFile = "journal.json";
constexpr const char* kJournalFormat = "gandl embedding journal";
constexpr int kJournalVersion = 1;
constexpr const char* kLockFile = ".lock";
constexpr const char* kAssembledFile = "store.h5ad.tmp";
constexpr const char* kTemporarySuffix = ".tmp";
constexpr char kPlateMagic[8] = {'G', 'A', 'N', 'D', 'L', 'P', 'R', '1'};
constexpr std::size_t kPlateHeaderBytes = sizeof kPlateMagic + 3 * sizeof(std::uint64_t);
constexpr std::size_t kPlateTrailerBytes = sizeof(std::uint32_t);

// One appended plate: the obs columns (kObsColumns order) and the rows.
struct PlateRows {
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> texts = std::vector<std::vector<std::string>>(kObsColumnCount);
  std::vector<std::vector<std::int64_t>> integers = std::vector<std::vector<std::int64_t>>(kObsColumnCount);
  std::vector<std::vector<double>> reals = std::vector<std::vector<double>>(kObsColumnCount);
  std::vector<float> rows;
};

std::string plateFileName(int number) {
  char name[32];
  std::snprintf(name, sizeof name, "plate-%06d.rows", number);
  return name;
}

// The number of a plate file's name, or -1 for any other name.
int plateNumber(const std::string& name) {
  int number = -1;
  int used = 0;
  if (name.size() != 17 || std::sscanf(name.c_str(), "plate-%6d.rows%n", &number, &used) != 1 ||
      used != static_cast<int>(name.size()))
    return -1;
  return number;
}

template <typename T>
void put(std::string& bytes, T value) {
  bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T take(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

std::uint32_t crcOf(const char* data, std::size_t size) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data), static_cast<z_size_t>(size)));
}

std::string encodePlate(const PlateRows& plate, int dimension) {
  Json obs = Json::object();
  obs[kIndexName] = plate.ids;
  for (std::size_t c = 0; c < kObsColumnCount; ++c) {
    switch (kObsColumns[c].element) {
      case Element::Text:
        obs[kObsColumns[c].name] = plate.texts[c];
        break;
      case Element::Int64:
        obs[kObsColumns[c].name] = plate.integers[c];
        break;
      case Element::Float64: {
        Json values = Json::array();
        for (const double value : plate.reals[c]) values.push_back(std::isfinite(value) ? Json(value) : Json(nullptr));
        obs[kObsColumns[c].name] = std::move(values);
        break;
      }
    }
  }
  const std::string text = obs.dump();
  std::string bytes(kPlateMagic, sizeof kPlateMagic);
  put<std::uint64_t>(bytes, text.size());
  put<std::uint64_t>(bytes, plate.ids.size());
  put<std::uint64_t>(bytes, static_cast<std::uint64_t>(dimension));
  bytes += text;
  bytes.append(reinterpret_cast<const char*>(plate.rows.data()), plate.rows.size() * sizeof(float));
  put<std::uint32_t>(bytes, crcOf(bytes.data(), bytes.size()));
  return bytes;
}

// Reads and verifies one plate file; nullopt with `problem` set when it is damaged.
std::optional<PlateRows> decodePlate(const fs::path& file, int dimension, std::string& problem) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.eof() && in.fail()) {
    problem = "cannot be read";
    return std::nullopt;
  }
  if (bytes.size() < kPlateHeaderBytes + kPlateTrailerBytes ||
      std::memcmp(bytes.data(), kPlateMagic, sizeof kPlateMagic) != 0) {
    problem = "is not a plate file of this program";
    return std::nullopt;
  }
  const auto textBytes = take<std::uint64_t>(bytes, 8);
  const auto count = take<std::uint64_t>(bytes, 16);
  const auto columns = take<std::uint64_t>(bytes, 24);
  const std::size_t body = bytes.size() - kPlateHeaderBytes - kPlateTrailerBytes;
  if (columns != static_cast<std::uint64_t>(dimension) || textBytes > body ||
      count > (body - textBytes) / sizeof(float) / std::max<std::uint64_t>(columns, 1) ||
      textBytes + count * columns * sizeof(float) != body) {
    problem = "has a damaged header (sizes do not add up)";
    return std::nullopt;
  }
  const std::size_t payload = bytes.size() - kPlateTrailerBytes;
  if (take<std::uint32_t>(bytes, payload) != crcOf(bytes.data(), payload)) {
    problem = "does not match its checksum";
    return std::nullopt;
  }
  PlateRows plate;
  try {
    const Json obs = Json::parse(bytes.begin() + static_cast<std::ptrdiff_t>(kPlateHeaderBytes),
                                 bytes.begin() + static_cast<std::ptrdiff_t>(kPlateHeaderBytes + textBytes));
    plate.ids = obs.at(kIndexName).get<std::vector<std::string>>();
    if (plate.ids.size() != count) throw std::runtime_error("site_id count");
    for (std::size_t c = 0; c < kObsColumnCount; ++c) {
      const Json& values = obs.at(kObsColumns[c].name);
      if (!values.is_array() || values.size() != count) throw std::runtime_error(kObsColumns[c].name);
      switch (kObsColumns[c].element) {
        case Element::Text:
          plate.texts[c] = values.get<std::vector<std::string>>();
          break;
        case Element::Int64:
          plate.integers[c] = values.get<std::vector<std::int64_t>>();
          break;
        case Element::Float64:
          for (const auto& value : values)
            plate.reals[c].push_back(value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>());
          break;
      }
    }
  } catch (const std::exception& error) {
    problem = std::string("has unreadable site metadata (") + error.what() + ")";
    return std::nullopt;
  }
  plate.rows.resize(count * columns);
  std::memcpy(plate.rows.data(), bytes.data() + kPlateHeaderBytes + textBytes, plate.rows.size() * sizeof(float));
  return plate;
}

[[noreturn]] void throwNoSpace(const fs::path& file, int error) {
  throw data::DataError(file.string(), std::string("cannot write: ") + std::strerror(error) +
                                           "; the plates stored before it are kept: free space and run the "
                                           "same command again to resume");
}

// Writes `bytes` to `target` so that `target` either is whole and on disk or does not exist.
void writeDurably(const fs::path& target, const std::string& bytes) {
  const fs::path temporary = target.string() + kTemporarySuffix;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw data::DataError(temporary.string(), std::string("cannot create: ") + std::strerror(errno));
  int failure = 0;
  const auto writeAll = [&](const char* data, std::size_t size) {
    while (size > 0 && failure == 0) {
      const ssize_t written = ::write(fd, data, size);
      if (written < 0) {
        if (errno != EINTR) failure = errno;
        continue;
      }
      data += written;
      size -= static_cast<std::size_t>(written);
    }
  };
  const std::size_t half = bytes.size() / 2;
  writeAll(bytes.data(), half);
  if (failure == 0 && common::faultPoint("store-plate-write")) failure = ENOSPC;
  writeAll(bytes.data() + half, bytes.size() - half);
  if (failure == 0 && ::fsync(fd) != 0) failure = errno;
  ::close(fd);
  if (failure != 0) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    if (failure == ENOSPC || failure == EDQUOT) throwNoSpace(target, failure);
    throw data::DataError(target.string(), std::string("cannot write: ") + std::strerror(failure));
  }
  common::faultPoint("store-plate-rename");
  std::error_code error;
  fs::rename(temporary, target, error);
  if (error) throw data::DataError(target.string(), "cannot rename into place: " + error.message());
  common::syncDirectory(target.parent_path());
}

Json provenanceToJson(const Provenance& values) {
  Json out = Json::object();
  for (const auto& [key, value] : values) {
    std::visit(
        [&, &key = key](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, double>)
            out[key] = std::isfinite(v) ? Json(v) : Json(nullptr);
          else
            out[key] = v;
        },
        value);
  }
  return out;
}

Provenance provenanceFromJson(const Json& values) {
  Provenance out;
  for (const auto& [key, value] : values.items()) {
    if (value.is_string())
      out[key] = value.get<std::string>();
    else if (value.is_number_integer())
      out[key] = value.get<std::int64_t>();
    else if (value.is_number_float())
      out[key] = value.get<double>();
    else if (value.is_null())
      out[key] = std::numeric_limits<double>::quiet_NaN();
    else
      throw std::runtime_error("provenance entry '" + key + "' is not a string or a number");
  }
  return out;
}

// The HDF5 side: an AnnData file with the final layout, filled plate by plate.
struct AnnDataFile {
  h5::Handle file;
  h5::Handle matrix;
  h5::Handle index;
  std::vector<h5::Handle> columns;  // kObsColumns order
  h5::Handle provenance;            // /uns/gandl

  void create(const fs::path& path, int dimension, const Provenance& values, const std::vector<std::string>& varNames) {
    const h5::Handle properties(seal::createPropertyList());
    file = h5::check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, properties.get(), H5P_DEFAULT), "cannot create the file");
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
    h5::appendStrings(h5ad::createColumn(var.get(), "_index", Element::Text).get(), varNames);

    // The empty mappings anndata itself writes, so that the file is one anndata would write.
    for (const char* name : {"obsm", "obsp", "varm", "varp", "layers"}) {
      h5ad::createGroup(root, name, h5ad::kDict);
    }
    const h5::Handle uns = h5ad::createGroup(root, "uns", h5ad::kDict);
    provenance = h5ad::createGroup(uns.get(), "gandl", h5ad::kDict);
    for (const auto& [key, value] : values) h5ad::writeScalar(provenance.get(), key, value);
  }

  void append(const PlateRows& plate) {
    h5::appendRows(matrix.get(), plate.rows.data(), plate.ids.size());
    h5::appendStrings(index.get(), plate.ids);
    for (std::size_t c = 0; c < kObsColumnCount; ++c) {
      const hid_t dataset = columns[c].get();
      switch (kObsColumns[c].element) {
        case Element::Text:
          h5::appendStrings(dataset, plate.texts[c]);
          break;
        case Element::Int64:
          h5::appendIntegers(dataset, plate.integers[c]);
          break;
        case Element::Float64:
          h5::appendReals(dataset, plate.reals[c]);
          break;
      }
    }
  }

  void close() {
    columns.clear();
    index.reset();
    matrix.reset();
    provenance.reset();
    const hid_t handle = file.release();
    if (handle >= 0) h5::checkStatus(H5Fclose(handle), "cannot close the file");
  }
};

}  // namespace

struct EmbeddingWriter::Impl {
  fs::path journal;
  std::unique_ptr<common::FileLock> lock;
  Provenance provenance;
  std::vector<std::string> varNames;
  std::vector<int> plates;  // plate file numbers, in order
  bool finished = false;

  fs::path plateFile(int number) const { return journal / plateFileName(number); }
  void create(int dimension, Provenance values, std::vector<std::string> names);
  void resume(int dimension, const Provenance& values, std::unordered_set<std::string>& held,
              std::vector<std::string>& warnings);
};

void EmbeddingWriter::Impl::create(int dimension, Provenance values, std::vector<std::string> names) {
  values.try_emplace("created_at", utcNow());
  provenance = std::move(values);
  varNames = std::move(names);
  Json header = {{"format", kJournalFormat},
                 {"version", kJournalVersion},
                 {"dimension", dimension},
                 {"var_names", varNames},
                 {"provenance", provenanceToJson(provenance)}};
  try {
    common::writeFileAtomically(journal / kJournalFile, header.dump(1));
  } catch (const std::exception& error) {
    throw data::DataError((journal / kJournalFile).string(), error.what());
  }
}

void EmbeddingWriter::Impl::resume(int dimension, const Provenance& values, std::unordered_set<std::string>& held,
                                   std::vector<std::string>& warnings) {
  const fs::path headerFile = journal / kJournalFile;
  const std::string where = headerFile.string();
  Json header;
  try {
    std::ifstream in(headerFile);
    header = Json::parse(in);
    if (header.at("format").get<std::string>() != kJournalFormat || header.at("version").get<int>() != kJournalVersion)
      throw std::runtime_error("not a journal of this version");
    varNames = header.at("var_names").get<std::vector<std::string>>();
    provenance = provenanceFromJson(header.at("provenance"));
  } catch (const std::exception& error) {
    throw data::DataError(where, std::string("cannot resume: the journal is unreadable (") + error.what() +
                                     "); delete " + journal.string() + " to start again");
  }
  const int stored = header.value("dimension", 0);
  if (stored != dimension) {
    throw data::DataError(journal.string(), "cannot resume: it holds " + std::to_string(stored) +
                                                "-d embeddings and this run makes " + std::to_string(dimension) +
                                                "-d ones (delete it to start again)");
  }
  const auto text = [](const Provenance& p, const char* key) {
    const auto it = p.find(key);
    return it == p.end() ? std::string() : toString(it->second);
  };
  if (text(provenance, kCheckpointHashKey) != text(values, kCheckpointHashKey)) {
    throw data::DataError(journal.string(), "cannot resume: it was written with checkpoint_hash '" +
                                                text(provenance, kCheckpointHashKey) + "' and this run uses '" +
                                                text(values, kCheckpointHashKey) +
                                                "' (use the same checkpoint, or delete it to start again)");
  }
  if (provenance.count(kScreenHashKey) && values.count(kScreenHashKey) &&
      text(provenance, kScreenHashKey) != text(values, kScreenHashKey)) {
    throw data::DataError(journal.string(), "cannot resume: it embeds another screen (screen_hash '" +
                                                text(provenance, kScreenHashKey) + "', this run's '" +
                                                text(values, kScreenHashKey) +
                                                "': other metadata or images); embed that screen, or delete it "
                                                "to start again");
  }

  std::vector<std::pair<int, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(journal)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > std::strlen(kTemporarySuffix) &&
        name.compare(name.size() - std::strlen(kTemporarySuffix), std::string::npos, kTemporarySuffix) == 0) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);  // a write that a crash interrupted
      continue;
    }
    const int number = plateNumber(name);
    if (number >= 0) found.emplace_back(number, entry.path());
  }
  std::sort(found.begin(), found.end());
  for (const auto& [number, file] : found) {
    std::string problem;
    auto plate = decodePlate(file, dimension, problem);
    if (plate) {
      for (const auto& id : plate->ids) {
        if (held.count(id)) {
          problem = "repeats site '" + id + "' of an earlier plate file";
          plate.reset();
          break;
        }
      }
    }
    if (!plate) {
      std::error_code ignored;
      fs::remove(file, ignored);
      warnings.push_back(file.string() + " " + problem + "; it was dropped and its sites are embedded again");
      continue;
    }
    for (auto& id : plate->ids) held.insert(std::move(id));
    plates.push_back(number);
  }
}

EmbeddingWriter::EmbeddingWriter(std::filesystem::path path, int dimension, Provenance provenance,
                                 std::vector<std::string> varNames)
    : path_(std::move(path)), dimension_(dimension), impl_(std::make_unique<Impl>()) {
  impl_->journal = partialPath(path_);
  const std::string journal = impl_->journal.string();
  if (dimension_ <= 0) {
    throw data::DataError(journal, "embedding dimension must be positive, got " + std::to_string(dimension));
  }
  if (varNames.empty())
    for (int i = 0; i < dimension_; ++i) varNames.push_back("gandl_" + std::to_string(i));
  if (varNames.size() != static_cast<std::size_t>(dimension_)) {
    throw data::DataError(
        journal, std::to_string(varNames.size()) + " feature names for " + std::to_string(dimension_) + " features");
  }
  std::error_code error;
  const auto status = fs::symlink_status(impl_->journal, error);
  if (fs::exists(status) && !fs::is_directory(status)) {
    throw data::DataError(journal,
                          "is not a journal folder (an unfinished store of an earlier gandl version, or another "
                          "file): delete it to start again");
  }
  fs::create_directories(impl_->journal, error);
  if (error) throw data::DataError(journal, "cannot create the journal folder: " + error.message());
  try {
    impl_->lock = std::make_unique<common::FileLock>(impl_->journal / kLockFile, "the store " + path_.string());
  } catch (const std::runtime_error& failure) {
    throw data::DataError(journal, failure.what());
  }
  resumed_ = fs::exists(impl_->journal / kJournalFile);
  if (resumed_) {
    impl_->resume(dimension_, provenance, held_, warnings_);
    return;
  }
  // A journal folder without journal.json: a run that crashed while creating it wrote no plate.
  for (const auto& entry : fs::directory_iterator(impl_->journal)) {
    if (plateNumber(entry.path().filename().string()) >= 0) {
      throw data::DataError(journal, "holds plate files but no journal.json; delete it to start again");
    }
  }
  impl_->create(dimension_, std::move(provenance), std::move(varNames));
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
  const std::string file = impl_->journal.string();
  if (impl_->finished) throw std::logic_error(file + ": append after finish()");
  if (sites.empty()) return;
  if (!rows) throw std::invalid_argument(file + ": append without embedding rows");

  std::unordered_set<std::string> batch;
  PlateRows plate;
  for (const Site* site : sites) {
    if (!site) throw std::invalid_argument(file + ": append with a null site");
    const std::string& id = site->site_id;
    if (id.empty()) throw data::DataError(file, "a site to append has an empty site_id");
    if (contains(id)) throw data::DataError(file, "site '" + id + "' is already in the store");
    if (!batch.insert(id).second) {
      throw data::DataError(file, "site '" + id + "' appears twice in one append");
    }
    if (!isValidUtf8(id)) throw data::DataError(file, "site_id '" + id + "' is not valid UTF-8");
    plate.ids.push_back(id);
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
          plate.texts[c].push_back(std::move(value));
          break;
        }
        case Element::Int64:
          plate.integers[c].push_back(column.integer(*site));
          break;
        case Element::Float64:
          plate.reals[c].push_back(column.real(*site));
          break;
      }
    }
  }
  plate.rows.assign(rows, rows + sites.size() * static_cast<std::size_t>(dimension_));
  const int number = impl_->plates.empty() ? 0 : impl_->plates.back() + 1;
  writeDurably(impl_->plateFile(number), encodePlate(plate, dimension_));
  impl_->plates.push_back(number);
  for (auto& id : plate.ids) held_.insert(std::move(id));
}

void EmbeddingWriter::finish() {
  const std::string journal = impl_->journal.string();
  if (impl_->finished) throw std::logic_error(journal + ": finish() called twice");
  const fs::path assembled = impl_->journal / kAssembledFile;
  Provenance values = impl_->provenance;
  values["complete"] = std::int64_t{1};
  values["n_sites"] = static_cast<std::int64_t>(held_.size());
  values["finished_at"] = utcNow();
  AnnDataFile out;
  try {
    h5::guarded(assembled, [&] {
      out.create(assembled, dimension_, values, impl_->varNames);
      for (const int number : impl_->plates) {
        const fs::path file = impl_->plateFile(number);
        std::string problem;
        const auto plate = decodePlate(file, dimension_, problem);
        if (!plate) {
          std::error_code ignored;
          fs::remove(file, ignored);
          throw data::DataError(file.string(), problem +
                                                   " (it changed after it was written); it was dropped: run "
                                                   "the same command again to embed its sites again");
        }
        out.append(*plate);
      }
      if (common::faultPoint("store-finish-write")) throw h5::Failure(std::strerror(ENOSPC));
      out.close();
      seal::write(assembled);
    });
  } catch (const data::DataError& error) {
    out = AnnDataFile();
    std::error_code ignored;
    fs::remove(assembled, ignored);
    throw data::DataError(path_.string(), std::string("cannot finish the store: ") + error.what() + "; the " +
                                              std::to_string(held_.size()) + " embedded sites are kept in " + journal +
                                              ": free space and run the same command again to finish");
  }
  common::faultPoint("store-finish-rename");
  std::error_code error;
  fs::rename(assembled, path_, error);
  if (error) {
    throw data::DataError(path_.string(), "cannot rename " + assembled.string() + " into place: " + error.message());
  }
  const fs::path parent = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
  common::syncDirectory(parent);
  impl_->finished = true;
  impl_->lock.reset();
  fs::remove_all(impl_->journal, error);  // a leftover journal is harmless: the store is complete
  common::syncDirectory(parent);
}

}  // namespace gandl::store
