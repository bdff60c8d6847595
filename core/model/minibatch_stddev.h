#pragma once
// Minibatch standard deviation (ProGAN/StyleGAN): the discriminator's one layer that looks across
// images. It splits the batch into groups, measures how much the images of a group differ, and
// appends that as extra feature channels, which lets D see a collapse of sample diversity.
// Groups are STRIDED as in ada's MinibatchStdLayer: with G = min(group_size, N) and n = N / G,
// image i belongs to group i % n (the reshape to [G, n, ...]).

#include <cstdint>

#include <torch/types.h>

namespace gandl::model {

// x [N, C, H, W] -> [N, C + num_channels, H, W]. The channels are split into num_channels
// slices; each extra channel holds, per group, the mean over (slice channels, H, W) of the
// standard deviation over the group (sqrt(var + 1e-8), population variance). N must be a
// multiple of min(group_size, N); throws std::invalid_argument otherwise.
// group_size 1 makes every image its own group: the extra channels are then the constant
// sqrt(1e-8) and the output of image i depends on image i alone (the embedding mode).
torch::Tensor minibatchStddev(const torch::Tensor& x, int64_t group_size, int64_t num_channels = 1);

}  // namespace gandl::model
