#include "core/data/well.h"

#include <cctype>

namespace gandl::data {

std::optional<WellPosition> parseWell(std::string_view name) {
  std::size_t letters = 0;
  while (letters < name.size() && std::isupper(static_cast<unsigned char>(name[letters]))) ++letters;
  if (letters == 0 || letters > 2 || letters == name.size()) return std::nullopt;
  int row = name[0] - 'A';
  if (letters == 2) row = 26 * (row + 1) + (name[1] - 'A');
  int column = 0;
  for (std::size_t i = letters; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
    column = column * 10 + (name[i] - '0');
    if (column > 9999) return std::nullopt;
  }
  if (column == 0) return std::nullopt;
  return WellPosition{row, column};
}

std::string rowName(int row) {
  if (row < 26) return std::string(1, static_cast<char>('A' + row));
  return std::string{static_cast<char>('A' + row / 26 - 1), static_cast<char>('A' + row % 26)};
}

std::string wellName(int row, int column) {
  std::string digits = std::to_string(column);
  if (digits.size() < 2) digits.insert(0, "0");
  return rowName(row) + digits;
}

}  // namespace gandl::data
