#include "core/common/hash.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace gandl::common {

std::string Fnv1a64::text() const {
  char out[32];
  std::snprintf(out, sizeof out, "fnv1a64:%016llx", static_cast<unsigned long long>(hash_));
  return out;
}

std::string fileHash(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read");
  Fnv1a64 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return hash.text();
}

}  // namespace gandl::common
