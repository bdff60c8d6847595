#pragma once
// Provenance of an embedding store: the scalar entries of /uns/gandl (checkpoint hash, resolution,
// channel map, normalization, software version, times...), each a string or a number.

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace gandl::store {

using ProvenanceValue = std::variant<std::string, std::int64_t, double>;
using Provenance = std::map<std::string, ProvenanceValue>;

// The key that must match when a run resumes a store (a store holds one model's embeddings).
inline constexpr const char* kCheckpointHashKey = "checkpoint_hash";
// ... and the screen it embeds (the metadata, the images' names and sizes), when recorded: a
// resumed store must embed the same screen, not another one with the same site ids.
inline constexpr const char* kScreenHashKey = "screen_hash";

// Text of a value as it appears in messages and CSV: strings as they are, integers in decimal,
// reals in their shortest round-trip form ("" for NaN).
std::string toString(const ProvenanceValue& value);
std::string formatReal(double value);
std::string formatReal(float value);

}  // namespace gandl::store
