#pragma once
// The AnnData on-disk encoding, as anndata 0.8 writes it: every element carries "encoding-type" /
// "encoding-version" attributes (variable-length UTF-8 strings). This file knows which encoding
// each kind of element gets and how dataframes, columns and dict scalars are laid out; hdf5_io
// does the HDF5 work. Internal to gandl_store; errors throw h5::Failure.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/store/hdf5_io.h"
#include "core/store/provenance.h"

namespace gandl::store::h5ad {

struct Encoding {
  const char* type;
  const char* version;
};
inline constexpr Encoding kAnnData{"anndata", "0.1.0"};
inline constexpr Encoding kArray{"array", "0.2.0"};
inline constexpr Encoding kStringArray{"string-array", "0.2.0"};
inline constexpr Encoding kDataFrame{"dataframe", "0.2.0"};
inline constexpr Encoding kDict{"dict", "0.1.0"};
inline constexpr Encoding kString{"string", "0.2.0"};
inline constexpr Encoding kNumericScalar{"numeric-scalar", "0.2.0"};

void setEncoding(hid_t object, Encoding encoding);
// "" when the object has no encoding-type attribute (files of anndata before 0.8).
std::string encodingType(hid_t object);

// String attributes. An empty list is written the way anndata writes an empty column-order: a
// float64 array of shape (0,).
void setStringAttribute(hid_t object, const char* name, const std::string& value);
std::string stringAttribute(hid_t object, const char* name);
void setStringListAttribute(hid_t object, const char* name, const std::vector<std::string>& values);

h5::Handle createGroup(hid_t location, const std::string& name, Encoding encoding);
h5::Handle openOrCreateDict(hid_t location, const std::string& name);

// A dataframe with an index dataset and its columns, in order (the index is not a column).
void initDataFrame(hid_t group, const std::string& indexName, const std::vector<std::string>& columnOrder);
std::vector<std::string> columnOrder(hid_t dataframe);

// Growable elements (see h5::createGrowable): 1-D columns, text as "string-array", numbers as
// "array"; float32 matrices as "array", chunked with shuffle + gzip.
enum class Element { Text, Int64, Float64 };
h5::Handle createColumn(hid_t group, const std::string& name, Element element);
h5::Handle createMatrix(hid_t group, const std::string& name, hsize_t columns);

// Scalars of a "dict": "string" and "numeric-scalar". write replaces an existing entry.
void writeScalar(hid_t group, const std::string& name, const ProvenanceValue& value);
// nullopt for anything that is not a string or numeric scalar (arrays, groups, booleans...).
std::optional<ProvenanceValue> readScalar(hid_t group, const std::string& name);

// One dataframe column: "string-array", numeric "array" or "categorical" (what anndata writes
// after a round trip through Python; a missing category reads as "").
using ColumnValues = std::variant<std::vector<std::string>, std::vector<std::int64_t>, std::vector<double>>;
ColumnValues readColumn(hid_t dataframe, const std::string& name, hsize_t first = 0, hsize_t count = h5::kToEnd);
bool isNumericColumn(hid_t dataframe, const std::string& name);

}  // namespace gandl::store::h5ad
