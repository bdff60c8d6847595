#include "core/store/h5ad_io.h"

#include <algorithm>

namespace gandl::store::h5ad {
namespace {

using h5::check;
using h5::checkStatus;
using h5::Failure;
using h5::Handle;

// Chunks of a matrix hold about this many bytes (128 rows of a 512-d embedding): small enough that
// one site's row costs little to decompress, large enough for gzip.
constexpr hsize_t kMatrixChunkBytes = hsize_t{256} * 1024;
constexpr hsize_t kColumnChunk = 1024;

void deleteAttributeIfPresent(hid_t object, const char* name) {
  if (H5Aexists(object, name) > 0) {
    checkStatus(H5Adelete(object, name), std::string("cannot replace attribute ") + name);
  }
}

Handle createAttribute(hid_t object, const char* name, hid_t type, hid_t space) {
  deleteAttributeIfPresent(object, name);
  return check(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
               std::string("cannot create attribute ") + name);
}

}  // namespace

void setEncoding(hid_t object, Encoding encoding) {
  setStringAttribute(object, "encoding-type", encoding.type);
  setStringAttribute(object, "encoding-version", encoding.version);
}

std::string encodingType(hid_t object) {
  if (H5Aexists(object, "encoding-type") <= 0) return {};
  return stringAttribute(object, "encoding-type");
}

void setStringAttribute(hid_t object, const char* name, const std::string& value) {
  const Handle type = h5::utf8StringType();
  const Handle space = check(H5Screate(H5S_SCALAR), "cannot create a dataspace");
  const Handle attribute = createAttribute(object, name, type.get(), space.get());
  const char* text = value.c_str();
  checkStatus(H5Awrite(attribute.get(), type.get(), &text), std::string("cannot write attribute ") + name);
}

std::string stringAttribute(hid_t object, const char* name) {
  auto values = h5::readAttributeStrings(object, name);
  if (values.size() != 1) {
    throw Failure("attribute '" + std::string(name) + "' of " + h5::objectName(object) + " is not a single string");
  }
  return values.front();
}

void setStringListAttribute(hid_t object, const char* name, const std::vector<std::string>& values) {
  const hsize_t count = values.size();
  const Handle space = check(H5Screate_simple(1, &count, nullptr), "cannot create a dataspace");
  const Handle type = values.empty() ? check(H5Tcopy(H5T_IEEE_F64LE), "cannot copy a type") : h5::utf8StringType();
  const Handle attribute = createAttribute(object, name, type.get(), space.get());
  if (values.empty()) return;
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  checkStatus(H5Awrite(attribute.get(), type.get(), texts.data()), std::string("cannot write attribute ") + name);
}

h5::Handle createGroup(hid_t location, const std::string& name, Encoding encoding) {
  Handle group =
      check(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "cannot create group " + name);
  setEncoding(group.get(), encoding);
  return group;
}

h5::Handle openOrCreateDict(hid_t location, const std::string& name) {
  if (h5::exists(location, name)) return h5::openGroup(location, name);
  return createGroup(location, name, kDict);
}

void initDataFrame(hid_t group, const std::string& indexName, const std::vector<std::string>& order) {
  setStringAttribute(group, "_index", indexName);
  setStringListAttribute(group, "column-order", order);
}

std::vector<std::string> columnOrder(hid_t dataframe) { return h5::readAttributeStrings(dataframe, "column-order"); }

h5::Handle createColumn(hid_t group, const std::string& name, Element element) {
  const Handle text = h5::utf8StringType();
  const hid_t fileType = element == Element::Text    ? text.get()
                         : element == Element::Int64 ? H5T_STD_I64LE
                                                     : H5T_IEEE_F64LE;
  // Gzip would only see the heap references of variable-length strings: no filter on columns.
  Handle dataset = h5::createGrowable(group, name, fileType, 0, kColumnChunk, false);
  setEncoding(dataset.get(), element == Element::Text ? kStringArray : kArray);
  return dataset;
}

h5::Handle createMatrix(hid_t group, const std::string& name, hsize_t columns) {
  const hsize_t rowBytes = std::max<hsize_t>(1, columns) * sizeof(float);
  const hsize_t chunkRows = std::max<hsize_t>(1, kMatrixChunkBytes / rowBytes);
  Handle dataset = h5::createGrowable(group, name, H5T_IEEE_F32LE, columns, chunkRows, true);
  setEncoding(dataset.get(), kArray);
  return dataset;
}

void writeScalar(hid_t group, const std::string& name, const ProvenanceValue& value) {
  const Handle text = h5::utf8StringType();
  const bool isText = std::holds_alternative<std::string>(value);
  const bool isInteger = std::holds_alternative<std::int64_t>(value);
  const hid_t memType = isText ? text.get() : isInteger ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  const H5T_class_t wanted = isText ? H5T_STRING : isInteger ? H5T_INTEGER : H5T_FLOAT;
  const char* textValue = isText ? std::get<std::string>(value).c_str() : nullptr;
  const void* data = isText      ? static_cast<const void*>(&textValue)
                     : isInteger ? static_cast<const void*>(&std::get<std::int64_t>(value))
                                 : static_cast<const void*>(&std::get<double>(value));

  Handle dataset;
  if (H5Lexists(group, name.c_str(), H5P_DEFAULT) > 0) {
    // Overwrite in place when the kind matches (n_sites after every plate); else replace.
    Handle existing = h5::openObject(group, name);
    bool sameKind = false;
    if (H5Iget_type(existing.get()) == H5I_DATASET) {
      const Handle type = check(H5Dget_type(existing.get()), "cannot read the type of " + name);
      sameKind = H5Tget_class(type.get()) == wanted &&
                 (isText ? H5Tis_variable_str(type.get()) > 0 : H5Tget_size(type.get()) == 8);
    }
    if (sameKind) {
      dataset = std::move(existing);
    } else {
      existing.reset();
      h5::removeLink(group, name);
    }
  }
  if (!dataset.valid()) {
    const hid_t fileType = isText ? text.get() : isInteger ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    const Handle space = check(H5Screate(H5S_SCALAR), "cannot create a dataspace");
    dataset = check(H5Dcreate2(group, name.c_str(), fileType, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    "cannot create " + name);
    setEncoding(dataset.get(), isText ? kString : kNumericScalar);
  }
  checkStatus(H5Dwrite(dataset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write " + name);
}

std::optional<ProvenanceValue> readScalar(hid_t group, const std::string& name) {
  const Handle object = h5::openObject(group, name);
  if (H5Iget_type(object.get()) != H5I_DATASET) return std::nullopt;
  const hid_t dataset = object.get();
  const Handle space = check(H5Dget_space(dataset), "cannot read the shape of " + name);
  if (H5Sget_simple_extent_type(space.get()) != H5S_SCALAR) return std::nullopt;
  const Handle type = check(H5Dget_type(dataset), "cannot read the type of " + name);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      return h5::readScalarString(dataset);
    case H5T_INTEGER: {
      std::int64_t value = 0;
      checkStatus(H5Dread(dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), "cannot read " + name);
      return value;
    }
    case H5T_FLOAT: {
      double value = 0;
      checkStatus(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), "cannot read " + name);
      return value;
    }
    default:
      return std::nullopt;
  }
}

ColumnValues readColumn(hid_t dataframe, const std::string& name, hsize_t first, hsize_t count) {
  const std::string what = "column '" + name + "' of " + h5::objectName(dataframe);
  const Handle object = h5::openObject(dataframe, name);
  if (H5Iget_type(object.get()) == H5I_GROUP) {
    const std::string encoding = encodingType(object.get());
    if (encoding != "categorical") {
      throw Failure(what + " has encoding '" + encoding + "'; expected string-array, array or categorical");
    }
    const Handle categoriesSet = h5::openDataset(object.get(), "categories");
    const Handle codesSet = h5::openDataset(object.get(), "codes");
    const auto categories = h5::readStrings(categoriesSet.get());
    const auto codes = h5::readIntegers(codesSet.get(), first, count);
    std::vector<std::string> values;
    values.reserve(codes.size());
    for (const std::int64_t code : codes) {
      if (code >= static_cast<std::int64_t>(categories.size())) {
        throw Failure(what + " has code " + std::to_string(code) + " but only " + std::to_string(categories.size()) +
                      " categories");
      }
      values.push_back(code < 0 ? std::string() : categories[static_cast<std::size_t>(code)]);
    }
    return values;
  }
  const Handle type = check(H5Dget_type(object.get()), "cannot read the type of " + what);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      return h5::readStrings(object.get(), first, count);
    case H5T_INTEGER:
      return h5::readIntegers(object.get(), first, count);
    case H5T_FLOAT:
      return h5::readReals(object.get(), first, count);
    default:
      throw Failure(what + " holds neither strings nor numbers");
  }
}

bool isNumericColumn(hid_t dataframe, const std::string& name) {
  const Handle object = h5::openObject(dataframe, name);
  if (H5Iget_type(object.get()) != H5I_DATASET) return false;
  const Handle type = check(H5Dget_type(object.get()), "cannot read the type of " + name);
  const H5T_class_t typeClass = H5Tget_class(type.get());
  return typeClass == H5T_INTEGER || typeClass == H5T_FLOAT;
}

}  // namespace gandl::store::h5ad
