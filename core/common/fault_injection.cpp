#include "core/common/fault_injection.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gandl::common {
namespace {

struct Fault {
  std::string point;
  long pass = 0;
  bool enospc = false;
};

Fault parse() {
  const char* text = std::getenv("GANDL_FAULT");
  if (!text || !*text) return {};
  const std::string spec(text);
  const auto first = spec.find(':');
  const auto second = first == std::string::npos ? std::string::npos : spec.find(':', first + 1);
  Fault fault;
  fault.point = spec.substr(0, first);
  char* end = nullptr;
  if (first != std::string::npos) {
    const std::string count =
        spec.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    fault.pass = std::strtol(count.c_str(), &end, 10);
    if (end == count.c_str() || *end != '\0') fault.pass = 0;
  }
  const std::string mode = second == std::string::npos ? std::string() : spec.substr(second + 1);
  fault.enospc = mode == "enospc";
  if (fault.point.empty() || fault.pass <= 0 || (!mode.empty() && !fault.enospc)) {
    std::fprintf(stderr, "gandl: warning: GANDL_FAULT='%s' is not <point>:<n>[:enospc]; ignored\n", text);
    return {};
  }
  return fault;
}

}  // namespace

bool faultPoint(std::string_view point) {
  static const Fault fault = parse();
  static std::atomic<long> passes{0};
  if (fault.point.empty() || point != fault.point) return false;
  const long pass = ++passes;
  if (pass < fault.pass) return false;
  if (fault.enospc) return true;
  if (pass == fault.pass) ::_exit(137);
  return false;
}

}  // namespace gandl::common
