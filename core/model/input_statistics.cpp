#include "core/model/input_statistics.h"

#include <cmath>
#include <stdexcept>

#include "core/common/image_source.h"

namespace gandl::model {

ChannelStatistics measureChannelStatistics(common::ImageSource& source, std::int64_t images, std::uint64_t seed) {
  constexpr int kBatch = 16;
  const int channels = source.channels();
  std::vector<double> sum(static_cast<std::size_t>(channels)), squares(sum.size());
  std::int64_t pixels = 0;  // per channel
  ChannelStatistics statistics;
  // A stream of its own (another seed): the run's training batches stay what they would be.
  auto stream = source.trainingBatches(kBatch, seed ^ 0x9e3779b97f4a7c15ULL, 0, {});
  while (statistics.images < images) {
    auto batch = stream->next();
    if (!batch) break;
    const std::size_t plane = static_cast<std::size_t>(batch->height) * static_cast<std::size_t>(batch->width);
    for (int i = 0; i < batch->count; ++i)
      for (int c = 0; c < channels; ++c) {
        const float* p = batch->pixels.data() + (static_cast<std::size_t>(i) * channels + c) * plane;
        double s = 0, q = 0;  // per plane first: long sums stay accurate
        for (std::size_t k = 0; k < plane; ++k) {
          s += p[k];
          q += static_cast<double>(p[k]) * p[k];
        }
        sum[c] += s;
        squares[c] += q;
      }
    pixels += static_cast<std::int64_t>(batch->count) * static_cast<std::int64_t>(plane);
    statistics.images += batch->count;
  }
  if (pixels == 0) throw std::runtime_error("input statistics: the training screen gave no image to measure");
  for (int c = 0; c < channels; ++c) {
    const double mean = sum[c] / static_cast<double>(pixels);
    const double variance = std::max(0.0, squares[c] / static_cast<double>(pixels) - mean * mean);
    const double sd = std::sqrt(variance);
    statistics.mean.push_back(mean);
    statistics.sd.push_back(sd < 1e-6 ? 1.0 : sd);
  }
  return statistics;
}

}  // namespace gandl::model
