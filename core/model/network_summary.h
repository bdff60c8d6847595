#pragma once
// What `gandl info` reports about a network configuration: its derived sizes and parameter
// counts. A Torch-free facade: callers (the CLI, the GUI's training panel) include no LibTorch
// header; the counts come from really building the modules inside the implementation.

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "core/model/network_config.h"

namespace gandl::model {

// Trainable parameters the way the ada reference counts them: every registered parameter
// (including the 4x4 constant and the per-layer noise strengths), no buffers (w_avg,
// noise_const, FIR filters).
struct ParameterCounts {
  int64_t mapping = 0;
  int64_t synthesis = 0;
  int64_t generator = 0;  // mapping + synthesis
  int64_t discriminator = 0;
};

// Builds the generator and the discriminator for `config` (validated; throws
// std::invalid_argument) and counts their parameters. Allocates the networks for a moment:
// ~0.2 GB and well under a second at 256 px, channel_base 32768.
ParameterCounts countParameters(const NetworkConfig& config);

// {"config": {...}, "num_ws": N, "embedding_dim": D, "channels": {"4": 512, ...},
//  "parameters": {"mapping": ..., "synthesis": ..., "generator": ..., "discriminator": ...}}
nlohmann::json describeNetworks(const NetworkConfig& config);

}  // namespace gandl::model
