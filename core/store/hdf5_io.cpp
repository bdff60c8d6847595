#include "core/store/hdf5_io.h"

#include <algorithm>
#include <array>

namespace gandl::store::h5 {

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.release();
  }
  return *this;
}

hid_t Handle::release() noexcept {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  return id;
}

void Handle::reset() noexcept {
  // H5Idec_ref closes any kind of identifier once its last reference goes.
  if (id_ >= 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
}

void silenceErrors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

herr_t collect(unsigned, const H5E_error2_t* error, void* data) {
  auto* messages = static_cast<std::vector<std::string>*>(data);
  if (error->desc && *error->desc) messages->emplace_back(error->desc);
  return 0;
}

// Room for a plate of 512-d rows plus the partly filled chunk at the end of the previous one.
constexpr std::size_t kChunkCacheBytes = std::size_t{16} * 1024 * 1024;
constexpr std::size_t kChunkCacheSlots = 10007;  // a prime, as HDF5 advises
// Speed matters more than the last percent: shuffled float32 features barely compress anyway.
constexpr unsigned kDeflateLevel = 1;

Handle datasetAccess() {
  Handle access = check(H5Pcreate(H5P_DATASET_ACCESS), "cannot create a property list");
  checkStatus(H5Pset_chunk_cache(access.get(), kChunkCacheSlots, kChunkCacheBytes, 1.0), "cannot set the chunk cache");
  return access;
}

// A transfer list whose type-conversion buffers fit `elements` elements. HDF5's default is 1 MiB
// for each of two buffers, calloc'ed on every H5Dread/H5Dwrite that converts (variable-length
// strings always do): zeroing them cost more than the rest of a plate's append together.
Handle transferFor(hsize_t elements) {
  constexpr hsize_t kBytesPerElement = 32;  // >= any element we convert (vlen string: 16)
  Handle transfer = check(H5Pcreate(H5P_DATASET_XFER), "cannot create a property list");
  const hsize_t bytes = std::max<hsize_t>(elements, 1) * kBytesPerElement;
  checkStatus(H5Pset_buffer(transfer.get(), std::min<hsize_t>(bytes, 1 << 20), nullptr, nullptr),
              "cannot size the transfer buffer");
  return transfer;
}

Handle stringType(H5T_cset_t cset, std::size_t size) {
  Handle type = check(H5Tcopy(H5T_C_S1), "cannot create a string type");
  checkStatus(H5Tset_size(type.get(), size), "cannot create a string type");
  checkStatus(H5Tset_cset(type.get(), cset), "cannot create a string type");
  return type;
}

// Frees what HDF5 allocated for variable-length strings, also when an exception leaves early.
class VlenStrings {
 public:
  VlenStrings(hid_t memType, hid_t memSpace, std::size_t count)
      : memType_(memType), memSpace_(memSpace), pointers_(count, nullptr) {}
  ~VlenStrings() {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(memType_, memSpace_, H5P_DEFAULT, pointers_.data());
#else
    H5Dvlen_reclaim(memType_, memSpace_, H5P_DEFAULT, pointers_.data());
#endif
  }
  VlenStrings(const VlenStrings&) = delete;
  VlenStrings& operator=(const VlenStrings&) = delete;
  char** data() { return pointers_.data(); }
  const std::vector<char*>& pointers() const { return pointers_; }

 private:
  hid_t memType_;
  hid_t memSpace_;
  std::vector<char*> pointers_;
};

// Reads `count` strings stored with `fileType` (variable-length or fixed-size) through
// read(memType, buffer), which wraps H5Dread or H5Aread; memSpace describes the buffer.
template <typename Read>
std::vector<std::string> readStringElements(hid_t fileType, hid_t memSpace, std::size_t count, const std::string& what,
                                            Read read) {
  if (H5Tget_class(fileType) != H5T_STRING) throw Failure(what + " does not hold strings");
  // HDF5 converts between string types only within one character set.
  const H5T_cset_t cset = H5Tget_cset(fileType);
  std::vector<std::string> values;
  values.reserve(count);
  if (H5Tis_variable_str(fileType) > 0) {
    const Handle memType = stringType(cset, H5T_VARIABLE);
    VlenStrings buffer(memType.get(), memSpace, count);
    checkStatus(read(memType.get(), static_cast<void*>(buffer.data())), "cannot read " + what);
    for (const char* text : buffer.pointers()) values.emplace_back(text ? text : "");
    return values;
  }
  const std::size_t size = H5Tget_size(fileType);
  const Handle memType = stringType(cset, size);
  checkStatus(H5Tset_strpad(memType.get(), H5T_STR_NULLPAD), "cannot create a string type");
  std::vector<char> buffer(count * size + 1, '\0');
  checkStatus(read(memType.get(), static_cast<void*>(buffer.data())), "cannot read " + what);
  const bool spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < count; ++i) {
    std::string text(buffer.data() + i * size, size);
    text.resize(std::min(text.size(), text.find('\0')));
    if (spacePadded) text.erase(text.find_last_not_of(' ') + 1);
    values.push_back(std::move(text));
  }
  return values;
}

// The hyperslab of rows [first, first + count) of a rank-1 or rank-2 dataset, all columns.
struct RowSelection {
  Handle fileSpace;
  Handle memSpace;
  hsize_t count = 0;
  hsize_t columns = 1;
};

RowSelection selectRows(hid_t dataset, hsize_t first, hsize_t count) {
  const std::string what = objectName(dataset);
  RowSelection selection;
  selection.fileSpace = check(H5Dget_space(dataset), "cannot read the shape of " + what);
  const int rank = H5Sget_simple_extent_ndims(selection.fileSpace.get());
  if (rank != 1 && rank != 2) {
    throw Failure(what + " has " + std::to_string(rank) + " dimensions, expected 1 or 2");
  }
  std::array<hsize_t, 2> dims{0, 1};
  H5Sget_simple_extent_dims(selection.fileSpace.get(), dims.data(), nullptr);
  if (count == kToEnd) count = first <= dims[0] ? dims[0] - first : 0;
  if (first > dims[0] || count > dims[0] - first) {
    throw Failure("rows " + std::to_string(first) + ".." + std::to_string(first + count) + " of " + what +
                  " are out of range (it has " + std::to_string(dims[0]) + " rows)");
  }
  selection.count = count;
  selection.columns = rank == 2 ? dims[1] : 1;
  const std::array<hsize_t, 2> start{first, 0};
  const std::array<hsize_t, 2> size{count, selection.columns};
  checkStatus(
      H5Sselect_hyperslab(selection.fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, size.data(), nullptr),
      "cannot select rows of " + what);
  selection.memSpace = check(H5Screate_simple(rank, size.data(), nullptr), "cannot create a dataspace");
  return selection;
}

template <typename Number>
std::vector<Number> readNumbers(hid_t dataset, hid_t memType, hsize_t first, hsize_t count) {
  const RowSelection selection = selectRows(dataset, first, count);
  std::vector<Number> values(selection.count * selection.columns);
  if (values.empty()) return values;
  const Handle transfer = transferFor(values.size());
  checkStatus(
      H5Dread(dataset, memType, selection.memSpace.get(), selection.fileSpace.get(), transfer.get(), values.data()),
      "cannot read " + objectName(dataset));
  return values;
}

void appendElements(hid_t dataset, hid_t memType, const void* data, hsize_t count) {
  if (count == 0) return;
  const std::string what = objectName(dataset);
  std::vector<hsize_t> dims = shape(dataset);
  const hsize_t first = dims.at(0);
  dims[0] += count;
  checkStatus(H5Dset_extent(dataset, dims.data()), "cannot extend " + what);
  const RowSelection selection = selectRows(dataset, first, count);
  const Handle transfer = transferFor(selection.count * selection.columns);
  checkStatus(H5Dwrite(dataset, memType, selection.memSpace.get(), selection.fileSpace.get(), transfer.get(), data),
              "cannot write " + what);
}

}  // namespace

std::string errorMessage() {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &messages);
  H5Eclear2(H5E_DEFAULT);
  if (messages.empty()) return "HDF5 error";
  // The outermost entry says what the call failed to do, the innermost why.
  if (messages.size() == 1 || messages.front() == messages.back()) return messages.front();
  return messages.front() + ": " + messages.back();
}

Handle check(hid_t id, const std::string& what) {
  if (id < 0) throw Failure(what + ": " + errorMessage());
  return Handle(id);
}

void checkStatus(herr_t status, const std::string& what) {
  if (status < 0) throw Failure(what + ": " + errorMessage());
}

bool exists(hid_t location, const std::string& path) {
  std::size_t end = 0;
  do {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  } while (end != std::string::npos);
  return true;
}

Handle openObject(hid_t location, const std::string& path) {
  return check(H5Oopen(location, path.c_str(), H5P_DEFAULT), "cannot open " + path);
}

Handle openGroup(hid_t location, const std::string& path) {
  return check(H5Gopen2(location, path.c_str(), H5P_DEFAULT), "cannot open group " + path);
}

Handle openDataset(hid_t location, const std::string& path) {
  const Handle access = datasetAccess();
  return check(H5Dopen2(location, path.c_str(), access.get()), "cannot open dataset " + path);
}

std::vector<std::string> memberNames(hid_t group) {
  H5G_info_t info;
  checkStatus(H5Gget_info(group, &info), "cannot list " + objectName(group));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw Failure("cannot list " + objectName(group) + ": " + errorMessage());
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(name));
  }
  return names;
}

void removeLink(hid_t group, const std::string& name) {
  checkStatus(H5Ldelete(group, name.c_str(), H5P_DEFAULT), "cannot delete " + name);
}

std::string objectName(hid_t object) {
  const ssize_t length = H5Iget_name(object, nullptr, 0);
  if (length <= 0) return "?";
  std::string name(static_cast<std::size_t>(length) + 1, '\0');
  H5Iget_name(object, name.data(), name.size());
  name.resize(static_cast<std::size_t>(length));
  return name;
}

Handle utf8StringType() { return stringType(H5T_CSET_UTF8, H5T_VARIABLE); }

Handle createGrowable(hid_t group, const std::string& name, hid_t fileType, hsize_t columns, hsize_t chunkRows,
                      bool compress) {
  const int rank = columns == 0 ? 1 : 2;
  const std::array<hsize_t, 2> dims{0, columns};
  const std::array<hsize_t, 2> maxDims{H5S_UNLIMITED, columns};
  const std::array<hsize_t, 2> chunk{chunkRows, columns};
  const Handle space = check(H5Screate_simple(rank, dims.data(), maxDims.data()), "cannot create a dataspace");
  const Handle create = check(H5Pcreate(H5P_DATASET_CREATE), "cannot create a property list");
  checkStatus(H5Pset_chunk(create.get(), rank, chunk.data()), "cannot set chunks of " + name);
  if (compress) {
    checkStatus(H5Pset_shuffle(create.get()), "cannot set the shuffle filter of " + name);
    checkStatus(H5Pset_deflate(create.get(), kDeflateLevel), "cannot set gzip for " + name);
  }
  const Handle access = datasetAccess();
  return check(H5Dcreate2(group, name.c_str(), fileType, space.get(), H5P_DEFAULT, create.get(), access.get()),
               "cannot create " + name);
}

void appendStrings(hid_t dataset, const std::vector<std::string>& values) {
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  const Handle type = utf8StringType();
  appendElements(dataset, type.get(), texts.data(), texts.size());
}

void appendIntegers(hid_t dataset, const std::vector<std::int64_t>& values) {
  appendElements(dataset, H5T_NATIVE_INT64, values.data(), values.size());
}

void appendReals(hid_t dataset, const std::vector<double>& values) {
  appendElements(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size());
}

void appendRows(hid_t dataset, const float* rows, hsize_t count) {
  appendElements(dataset, H5T_NATIVE_FLOAT, rows, count);
}

void truncate(hid_t dataset, hsize_t length) {
  std::vector<hsize_t> dims = shape(dataset);
  dims.at(0) = length;
  checkStatus(H5Dset_extent(dataset, dims.data()), "cannot truncate " + objectName(dataset));
}

std::vector<hsize_t> shape(hid_t dataset) {
  const std::string what = objectName(dataset);
  const Handle space = check(H5Dget_space(dataset), "cannot read the shape of " + what);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw Failure("cannot read the shape of " + what + ": " + errorMessage());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

hsize_t chunkRows(hid_t dataset) {
  const Handle create = check(H5Dget_create_plist(dataset), "cannot read a dataset's layout");
  if (H5Pget_layout(create.get()) != H5D_CHUNKED) return 0;
  std::array<hsize_t, 2> chunk{0, 0};
  if (H5Pget_chunk(create.get(), 2, chunk.data()) < 1) return 0;
  return chunk[0];
}

std::vector<std::string> readStrings(hid_t dataset, hsize_t first, hsize_t count) {
  const RowSelection selection = selectRows(dataset, first, count);
  if (selection.count == 0) return {};
  const Handle type = check(H5Dget_type(dataset), "cannot read the type of a dataset");
  const Handle transfer = transferFor(selection.count);
  return readStringElements(
      type.get(), selection.memSpace.get(), selection.count, objectName(dataset), [&](hid_t memType, void* buffer) {
        return H5Dread(dataset, memType, selection.memSpace.get(), selection.fileSpace.get(), transfer.get(), buffer);
      });
}

std::vector<std::int64_t> readIntegers(hid_t dataset, hsize_t first, hsize_t count) {
  return readNumbers<std::int64_t>(dataset, H5T_NATIVE_INT64, first, count);
}

std::vector<double> readReals(hid_t dataset, hsize_t first, hsize_t count) {
  return readNumbers<double>(dataset, H5T_NATIVE_DOUBLE, first, count);
}

void readRows(hid_t dataset, hsize_t first, hsize_t count, float* out) {
  if (count == 0) return;
  const RowSelection selection = selectRows(dataset, first, count);
  checkStatus(H5Dread(dataset, H5T_NATIVE_FLOAT, selection.memSpace.get(), selection.fileSpace.get(), H5P_DEFAULT, out),
              "cannot read " + objectName(dataset));
}

std::string readScalarString(hid_t dataset) {
  const Handle type = check(H5Dget_type(dataset), "cannot read the type of a dataset");
  const Handle space = check(H5Screate(H5S_SCALAR), "cannot create a dataspace");
  return readStringElements(type.get(), space.get(), 1, objectName(dataset),
                            [&](hid_t memType, void* buffer) {
                              return H5Dread(dataset, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
                            })
      .front();
}

std::vector<std::string> readAttributeStrings(hid_t object, const char* name) {
  const std::string what = "attribute '" + std::string(name) + "' of " + objectName(object);
  const Handle attribute = check(H5Aopen(object, name, H5P_DEFAULT), "cannot open " + what);
  const Handle type = check(H5Aget_type(attribute.get()), "cannot read the type of " + what);
  const Handle space = check(H5Aget_space(attribute.get()), "cannot read the shape of " + what);
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) throw Failure("cannot read the shape of " + what);
  if (count == 0) return {};  // anndata's empty list is a float array of shape (0,)
  return readStringElements(type.get(), space.get(), static_cast<std::size_t>(count), what,
                            [&](hid_t memType, void* buffer) { return H5Aread(attribute.get(), memType, buffer); });
}

}  // namespace gandl::store::h5
