#include "core/common/paths.h"

#include <stdexcept>
#include <system_error>

namespace gandl::common {

bool samePath(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  if (std::filesystem::exists(a, error) && std::filesystem::exists(b, error))
    return std::filesystem::equivalent(a, b, error) && !error;
  const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a), error);
  if (error) return false;
  const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b), error);
  return !error && ca == cb;
}

void refuseOutputThatIsAnInput(const std::filesystem::path& output, const std::string& what,
                               const std::vector<std::pair<std::filesystem::path, std::string>>& inputs) {
  for (const auto& [input, name] : inputs) {
    if (!input.empty() && samePath(output, input))
      throw std::invalid_argument(what + " " + output.string() + " is " + name + " (" + input.string() +
                                  "); an output never replaces an input: choose another path");
  }
}

}  // namespace gandl::common
