#pragma once
// The per-channel mean and standard deviation of a training screen's images, measured once before
// a run's first step when it standardises its input (TrainingConfig::normalize_input); the values
// become NetworkConfig::input_mean / input_scale. Torch-free.

#include <cstdint>
#include <vector>

namespace gandl::common {
class ImageSource;
}

namespace gandl::model {

struct ChannelStatistics {
  std::vector<double> mean, sd;  // one per channel, over every pixel of the images read
  std::int64_t images = 0;
};

// Reads `images` training views (rounded up to whole batches of 16) from a stream of its own,
// seeded by `seed`, so the training stream's batches are unaffected. A channel whose sd is below
// 1e-6 (an empty stain) gets sd 1, i.e. it is only centred.
ChannelStatistics measureChannelStatistics(common::ImageSource& source, std::int64_t images, std::uint64_t seed);

}  // namespace gandl::model
