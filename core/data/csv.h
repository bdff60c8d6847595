#pragma once
// RFC 4180 CSV as screens really ship it: quoted fields with commas, quotes and line breaks
// (SMILES, compound names), empty fields, CRLF or LF line ends, an optional UTF-8 byte-order mark.
// Every row remembers the line it started on, so errors can point into the file.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gandl::data {

struct CsvTable {
  std::string source;  // file name used in error messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<long> lines;  // 1-based line on which each row starts (the header is line 1)

  // Index of a column, or -1.
  int column(std::string_view name) const;
  // Index of a column; throws DataError naming the file and the missing column.
  int requireColumn(std::string_view name) const;
};

// Parses text; throws DataError for an empty input, an unterminated quote, or a row whose field
// count differs from the header's.
CsvTable parseCsv(std::string_view text, const std::string& source);
CsvTable readCsv(const std::filesystem::path& path);

// One field quoted as RFC 4180 requires (only when it contains , " CR or LF).
std::string csvField(std::string_view value);
// A whole row, fields joined with commas, terminated by "\n".
std::string csvRow(const std::vector<std::string>& fields);

}  // namespace gandl::data
