#pragma once
// The smallest GAN-DL network the tests train (32 px, channel_base 512, channel_max 32, z and w
// 32): a few seconds for a few steps on 2 cores. Callers add what their test exercises.

#include <cstdint>

#include "core/model/training_config.h"

namespace gandl::test {

inline model::TrainingConfig tinyTrainingConfig(int batch, std::int64_t steps) {
  model::TrainingConfig c;
  c.network.resolution = 32;
  c.network.channel_base = 512;
  c.network.channel_max = 32;
  c.network.z_dim = c.network.w_dim = 32;
  c.batch = batch;
  c.steps = steps;
  return c;
}

}  // namespace gandl::test
