#pragma once
// StyleGAN2's residual discriminator, and GAN-DL's embedding. FromRGB (1x1 + leaky ReLU) at the
// input resolution; per resolution a block of two 3x3 convs (the second downsamples 2x with the
// FIR filter) beside a 1x1 downsampling skip, summed with weight sqrt(0.5); at 4x4 an epilogue of
// minibatch stddev, 3x3 conv, FC to channelsAt(4) with leaky ReLU, and FC to one logit.
// Follows ada's DiscriminatorBlock / DiscriminatorEpilogue / Discriminator (resnet, fp32,
// unconditional); module names match ada's (b64.fromrgb, b64.conv0, ..., b4.fc, b4.out).
//
// The embedding is the epilogue FC output (512-d when channelsAt(4) = 512). Minibatch stddev makes
// D's output for one image depend on the others in its group, which an embedding must not do.
// embed() therefore evaluates every image as its own group (group size 1): the stddev channel is
// then the constant sqrt(1e-8) ~ 1e-4, exactly what one image replicated G times would give, so
// the two obvious fixed groupings coincide. It needs no reference images or stored statistics,
// and the vector of an image is the same whatever batch it is computed in. The price: D never
// saw a near-zero stddev channel in training (its 512 input channels dominate that one channel).

#include <cstdint>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/equalized_layers.h"
#include "core/model/network_config.h"

namespace gandl::model {

struct DiscriminatorBlockOptions {
  DiscriminatorBlockOptions(int64_t in_channels, int64_t tmp_channels, int64_t out_channels, int64_t resolution,
                            int64_t image_channels)
      : in_channels_(in_channels),
        tmp_channels_(tmp_channels),
        out_channels_(out_channels),
        resolution_(resolution),
        image_channels_(image_channels) {}
  TORCH_ARG(int64_t, in_channels);  // 0 = the first block, which reads the image via FromRGB
  TORCH_ARG(int64_t, tmp_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, resolution);
  TORCH_ARG(int64_t, image_channels);
};

struct DiscriminatorBlockImpl : torch::nn::Cloneable<DiscriminatorBlockImpl> {
  explicit DiscriminatorBlockImpl(DiscriminatorBlockOptions options);
  void reset() override;
  // First block: x = image [N, image_channels, res, res]; others: x [N, tmp, res, res].
  // Returns [N, out, res/2, res/2].
  torch::Tensor forward(const torch::Tensor& x);

  DiscriminatorBlockOptions options;
  EqualizedConv2d fromrgb{nullptr};  // first block only
  EqualizedConv2d conv0{nullptr};
  EqualizedConv2d conv1{nullptr};  // downsampling
  EqualizedConv2d skip{nullptr};   // 1x1, downsampling, no bias
};
TORCH_MODULE(DiscriminatorBlock);

struct DiscriminatorEpilogueOptions {
  explicit DiscriminatorEpilogueOptions(int64_t in_channels) : in_channels_(in_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, resolution) = 4;
  TORCH_ARG(int64_t, mbstd_group) = 4;
  TORCH_ARG(int64_t, mbstd_channels) = 1;
};

struct DiscriminatorEpilogueImpl : torch::nn::Cloneable<DiscriminatorEpilogueImpl> {
  explicit DiscriminatorEpilogueImpl(DiscriminatorEpilogueOptions options);
  void reset() override;
  // x [N, C, 4, 4] -> the FC output [N, C], minibatch stddev over groups of `mbstd_group`.
  torch::Tensor features(const torch::Tensor& x, int64_t mbstd_group);
  // x [N, C, 4, 4] -> logits [N, 1] with the configured group size.
  torch::Tensor forward(const torch::Tensor& x);

  DiscriminatorEpilogueOptions options;
  EqualizedConv2d conv{nullptr};  // 3x3, C + mbstd_channels -> C
  EqualizedLinear fc{nullptr};    // C * 4 * 4 -> C, leaky ReLU: the embedding
  EqualizedLinear out{nullptr};   // C -> 1
};
TORCH_MODULE(DiscriminatorEpilogue);

// The whole discriminator, built from a NetworkConfig (validated on construction).
struct DiscriminatorImpl : torch::nn::Cloneable<DiscriminatorImpl> {
  explicit DiscriminatorImpl(NetworkConfig config);
  void reset() override;

  // images [N, image_channels, res, res] -> logits [N, 1]. N must be a multiple of
  // min(mbstd_group, N).
  torch::Tensor forward(const torch::Tensor& images);
  // The epilogue FC output [N, embeddingDim()] with training-time minibatch stddev: what the
  // logit is computed from (mixes images of a group).
  torch::Tensor features(const torch::Tensor& images);
  // The GAN-DL embedding [N, embeddingDim()]: features with every image its own mbstd group, so
  // row i depends on image i only. Any batch size.
  torch::Tensor embed(const torch::Tensor& images);
  // The residual blocks' output at 4x4: [N, channelsAt(4), 4, 4].
  torch::Tensor trunk(const torch::Tensor& images);
  // The images as the first block sees them: standardised per channel when the config says so
  // (NetworkConfig::input_mean / input_scale), else unchanged. Every readout starts here.
  torch::Tensor normalizeInput(const torch::Tensor& images) const;

  // The multi-scale readout [N, multiscaleDim()]: every residual block's output and the
  // epilogue conv's output (mbstd group of one) averaged over space, concatenated from the
  // finest block to the epilogue. Row i depends on image i only.
  torch::Tensor multiscale(const torch::Tensor& images);
  int64_t multiscaleDim() const;

  int64_t embeddingDim() const { return config.embeddingDim(); }

  NetworkConfig config;
  std::vector<DiscriminatorBlock> blocks;   // b<res>, ..., b8
  DiscriminatorEpilogue epilogue{nullptr};  // registered as b4
};
TORCH_MODULE(Discriminator);

}  // namespace gandl::model
