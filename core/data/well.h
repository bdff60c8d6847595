#pragma once
// Well names as plates spell them: one or two row letters and a column number ("B02", "AA17").
// Rows A..Z are 0..25, AA..AZ continue at 26 (1536-well plates use A..AF).

#include <optional>
#include <string>
#include <string_view>

namespace gandl::data {

struct WellPosition {
  int row = 0;     // 0-based
  int column = 0;  // 1-based, as printed
};

std::optional<WellPosition> parseWell(std::string_view name);
// "A01"-style name with a two-digit column.
std::string wellName(int row, int column);
std::string rowName(int row);

}  // namespace gandl::data
