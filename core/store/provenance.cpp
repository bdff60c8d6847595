#include "core/store/provenance.h"

#include <charconv>
#include <cmath>

namespace gandl::store {
namespace {

template <typename Real>
std::string shortest(Real value) {
  if (std::isnan(value)) return {};
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::string formatReal(double value) { return shortest(value); }
std::string formatReal(float value) { return shortest(value); }

std::string toString(const ProvenanceValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  return formatReal(std::get<double>(value));
}

}  // namespace gandl::store
