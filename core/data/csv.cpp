#include "core/data/csv.h"

#include <fstream>
#include <sstream>

#include "core/data/data_error.h"

namespace gandl::data {

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

int CsvTable::requireColumn(std::string_view name) const {
  const int index = column(name);
  if (index < 0)
    throw DataError(source, 1, std::string(name), "(missing)", "a header column named '" + std::string(name) + "'");
  return index;
}

CsvTable parseCsv(std::string_view text, const std::string& source) {
  CsvTable table;
  table.source = source;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);
  // UTF-16 (what some spreadsheet exports write): a byte-order mark, or NUL bytes between ASCII.
  const bool utf16Mark =
      text.size() >= 2 &&
      ((static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) ||
       (static_cast<unsigned char>(text[0]) == 0xFE && static_cast<unsigned char>(text[1]) == 0xFF));
  if (utf16Mark || text.substr(0, 256).find('\0') != std::string_view::npos)
    throw DataError(source, utf16Mark ? "is UTF-16 text; save it as UTF-8 CSV"
                                      : "holds NUL bytes (UTF-16 or a binary file?); expected UTF-8 CSV text");

  std::vector<std::string> record;
  std::string field;
  long line = 1;
  long recordLine = 1;
  bool fieldStarted = false;   // the current field has content (or was quoted)
  bool recordStarted = false;  // a delimiter was seen: distinguishes "," from an empty line
  std::size_t i = 0;
  const std::size_t n = text.size();

  auto endRecord = [&] {
    record.push_back(std::move(field));
    field.clear();
    if (table.header.empty() && table.rows.empty() && table.lines.empty()) {
      table.header = std::move(record);
    } else {
      if (record.size() != table.header.size())
        throw DataError(source, recordLine, "", std::to_string(record.size()) + " fields",
                        std::to_string(table.header.size()) + " fields as in the header");
      table.rows.push_back(std::move(record));
      table.lines.push_back(recordLine);
    }
    record.clear();
    fieldStarted = false;
    recordStarted = false;
  };

  while (i < n) {
    const char c = text[i];
    if (c == '"' && !fieldStarted) {
      // Quoted field: runs to the closing quote; "" is a literal quote.
      const long openedOn = line;
      ++i;
      bool closed = false;
      while (i < n) {
        const char q = text[i];
        if (q == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          if (q == '\n') ++line;
          field.push_back(q);
          ++i;
        }
      }
      if (!closed) throw DataError(source, openedOn, "", "an opening quote", "a closing quote before the end of file");
      if (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
        throw DataError(source, line, "", "\"" + field + "\"" + std::string(1, text[i]),
                        "a delimiter or the end of the line after a closing quote");
      fieldStarted = true;
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      fieldStarted = false;
      recordStarted = true;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      const bool blank = !recordStarted && !fieldStarted;
      if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      ++i;
      if (!blank) endRecord();
      ++line;
      recordLine = line;
      continue;
    }
    // Plain characters up to the next delimiter, copied in one go.
    std::size_t j = i;
    while (j < n && text[j] != ',' && text[j] != '\r' && text[j] != '\n' && text[j] != '"') ++j;
    if (j == i) {  // a quote inside an unquoted field: keep it literally, as lenient readers do
      field.push_back(c);
      ++i;
    } else {
      field.append(text.data() + i, j - i);
      i = j;
    }
    fieldStarted = true;
  }
  if (fieldStarted || recordStarted) endRecord();
  if (table.header.empty() || (table.header.size() == 1 && table.header[0].empty()))
    throw DataError(source, "the file is empty; expected a header row");
  return table;
}

CsvTable readCsv(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error))
    throw DataError(path.string(), "is not a file (a folder?); expected CSV text");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string(), "cannot open for reading");
  std::string text;
  in.seekg(0, std::ios::end);
  text.resize(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) throw DataError(path.string(), "read failed");
  return parseCsv(text, path.string());
}

std::string csvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string csvRow(const std::vector<std::string>& fields) {
  std::string row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) row.push_back(',');
    row += csvField(fields[i]);
  }
  row.push_back('\n');
  return row;
}

}  // namespace gandl::data
