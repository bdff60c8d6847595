#pragma once
// The HDF5 C API made safe to use: owned identifiers, failures as exceptions, and the few typed
// reads and writes the store needs (strings of any HDF5 flavour, row ranges, growable datasets).
// Internal to gandl_store: public headers never include HDF5.

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/data_error.h"

namespace gandl::store::h5 {

// An HDF5 failure without a file name; the public entry points add the file (see guarded()).
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Owns one identifier of any kind (file, group, dataset, dataspace, type, property list).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  hid_t release() noexcept;
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's printing of its error stack on stderr for the calling thread (the library is
// thread-safe, so the setting is per thread). Every public entry point calls it.
void silenceErrors();

// The message of the calling thread's HDF5 error stack ("unable to open file: file signature not
// found"), which is then cleared.
std::string errorMessage();

// Throw Failure("<what>: <HDF5 message>") when an HDF5 call failed.
Handle check(hid_t id, const std::string& what);
void checkStatus(herr_t status, const std::string& what);

// Runs one public operation on `file`: HDF5's own printing off, and a Failure rethrown as the
// DataError that names the file.
template <typename Function>
auto guarded(const std::filesystem::path& file, Function&& function) -> decltype(function()) {
  silenceErrors();
  try {
    return function();
  } catch (const Failure& failure) {
    throw data::DataError(file.string(), failure.what());
  }
}

// Links. `path` may have several components ("uns/gandl"); a missing component is "absent".
bool exists(hid_t location, const std::string& path);
Handle openObject(hid_t location, const std::string& path);  // group or dataset
Handle openGroup(hid_t location, const std::string& path);
Handle openDataset(hid_t location, const std::string& path);
std::vector<std::string> memberNames(hid_t group);
void removeLink(hid_t group, const std::string& name);
std::string objectName(hid_t object);

Handle utf8StringType();

// A chunked dataset whose first dimension starts at 0 and grows with append*(): 1-D when
// columns is 0, else [rows, columns]. compress: shuffle + gzip.
Handle createGrowable(hid_t group, const std::string& name, hid_t fileType, hsize_t columns, hsize_t chunkRows,
                      bool compress);
void appendStrings(hid_t dataset, const std::vector<std::string>& values);
void appendIntegers(hid_t dataset, const std::vector<std::int64_t>& values);
void appendReals(hid_t dataset, const std::vector<double>& values);
void appendRows(hid_t dataset, const float* rows, hsize_t count);  // count x columns, row-major
void truncate(hid_t dataset, hsize_t length);

std::vector<hsize_t> shape(hid_t dataset);
// Rows per chunk of a chunked dataset, 0 for a contiguous one.
hsize_t chunkRows(hid_t dataset);

// Rows [first, first + count) of a rank-1 or rank-2 dataset (count kToEnd: to the end). Strings
// may be variable-length or fixed-size, ASCII or UTF-8; numbers are converted.
inline constexpr hsize_t kToEnd = static_cast<hsize_t>(-1);
std::vector<std::string> readStrings(hid_t dataset, hsize_t first = 0, hsize_t count = kToEnd);
std::vector<std::int64_t> readIntegers(hid_t dataset, hsize_t first = 0, hsize_t count = kToEnd);
std::vector<double> readReals(hid_t dataset, hsize_t first = 0, hsize_t count = kToEnd);
void readRows(hid_t dataset, hsize_t first, hsize_t count, float* out);
std::string readScalarString(hid_t dataset);
// Every string of an attribute (a scalar gives one; an empty array none).
std::vector<std::string> readAttributeStrings(hid_t object, const char* name);

}  // namespace gandl::store::h5
