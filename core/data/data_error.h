#pragma once
// The one error type of the data layer: it names the file, the row, the column, the offending value
// and what was expected, so that a biologist can open the file and fix it.

#include <stdexcept>
#include <string>

namespace gandl::data {

class DataError : public std::runtime_error {
 public:
  // line: 1-based line of the file (0 when the problem is not tied to a line).
  DataError(std::string file, long line, std::string column, std::string value, const std::string& expected);
  // A problem with a whole file (unreadable, empty, not an image...).
  DataError(std::string file, const std::string& problem);

  const std::string& file() const noexcept { return file_; }
  long line() const noexcept { return line_; }
  const std::string& column() const noexcept { return column_; }
  const std::string& value() const noexcept { return value_; }

 private:
  std::string file_;
  long line_ = 0;
  std::string column_;
  std::string value_;
};

}  // namespace gandl::data
