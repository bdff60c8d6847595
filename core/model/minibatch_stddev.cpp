#include "core/model/minibatch_stddev.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace gandl::model {

torch::Tensor minibatchStddev(const torch::Tensor& x, int64_t group_size, int64_t num_channels) {
  TORCH_CHECK(x.dim() == 4, "minibatchStddev: expected x [N, C, H, W], got ", x.sizes());
  if (num_channels == 0) return x;
  const int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
  if (group_size < 1 || num_channels < 0 || channels % num_channels != 0)
    throw std::invalid_argument("minibatchStddev: group size " + std::to_string(group_size) + " and " +
                                std::to_string(num_channels) + " feature channels do not fit " +
                                std::to_string(channels) + " input channels");
  const int64_t group = std::max<int64_t>(1, std::min(group_size, batch));  // an empty batch stays empty
  if (batch % group != 0)
    throw std::invalid_argument("minibatchStddev: batch of " + std::to_string(batch) +
                                " images is not a multiple of the group size " + std::to_string(group) +
                                "; use a batch divisible by it");

  auto y = x.reshape({group, -1, num_channels, channels / num_channels, height, width});
  y = y - y.mean(0);
  y = torch::sqrt(y.square().mean(0) + 1e-8);                                 // [n, F, c, H, W]
  y = y.mean({2, 3, 4});                                                      // [n, F]
  y = y.reshape({-1, num_channels, 1, 1}).repeat({group, 1, height, width});  // [N, F, H, W]
  return torch::cat({x, y}, 1);
}

}  // namespace gandl::model
