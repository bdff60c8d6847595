#include "core/model/network_summary.h"

#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/model/discriminator.h"
#include "core/model/generator.h"
#include "core/model/global_rng.h"

namespace gandl::model {
namespace {

int64_t parameterCount(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& parameter : module.parameters()) count += parameter.numel();
  return count;
}

}  // namespace

ParameterCounts countParameters(const NetworkConfig& config) {
  config.validate();
  // The values are irrelevant here; only the shapes are counted.
  torch::NoGradGuard noGrad;
  IsolatedGlobalRng isolate;
  ParameterCounts counts;
  {
    Generator generator(config);
    counts.mapping = parameterCount(*generator->mapping);
    counts.synthesis = parameterCount(*generator->synthesis);
    counts.generator = parameterCount(*generator);
  }
  counts.discriminator = parameterCount(*Discriminator(config));
  return counts;
}

nlohmann::json describeNetworks(const NetworkConfig& config) {
  const auto counts = countParameters(config);
  nlohmann::json channels = nlohmann::json::object();
  for (int res : config.blockResolutions()) channels[std::to_string(res)] = config.channelsAt(res);
  return {
      {"config", config.toJson()},
      {"num_ws", config.numWs()},
      {"embedding_dim", config.embeddingDim()},
      {"channels", channels},
      {"parameters",
       {{"mapping", counts.mapping},
        {"synthesis", counts.synthesis},
        {"generator", counts.generator},
        {"discriminator", counts.discriminator}}},
  };
}

}  // namespace gandl::model
