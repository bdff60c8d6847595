#pragma once
// FNV-1a (64 bit): the content hashes that identify a checkpoint file or a screen in a store's
// provenance ("fnv1a64:<16 hex digits>"). Not cryptographic: it tells versions apart.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace gandl::common {

class Fnv1a64 {
 public:
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash_ ^= bytes[i];
      hash_ *= 0x100000001b3ull;
    }
  }
  void add(std::string_view text) { add(text.data(), text.size()); }
  void add(std::uint64_t value) { add(&value, sizeof value); }
  std::uint64_t value() const { return hash_; }
  std::string text() const;  // "fnv1a64:<hex>"

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

// The hash of a file's bytes; throws std::runtime_error naming the file when it cannot be read.
std::string fileHash(const std::filesystem::path& file);

}  // namespace gandl::common
