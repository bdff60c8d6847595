#include "core/data/data_error.h"

namespace gandl::data {
namespace {

std::string describe(const std::string& file, long line, const std::string& column, const std::string& value,
                     const std::string& expected) {
  std::string text = file;
  if (line > 0) text += ": line " + std::to_string(line);
  if (!column.empty()) text += ", column '" + column + "'";
  text += ": got '" + value + "', expected " + expected;
  return text;
}

}  // namespace

DataError::DataError(std::string file, long line, std::string column, std::string value, const std::string& expected)
    : std::runtime_error(describe(file, line, column, value, expected)),
      file_(std::move(file)),
      line_(line),
      column_(std::move(column)),
      value_(std::move(value)) {}

DataError::DataError(std::string file, const std::string& problem)
    : std::runtime_error(file + ": " + problem), file_(std::move(file)) {}

}  // namespace gandl::data
