#include "core/model/discriminator.h"

#include <cmath>
#include <string>

#include <torch/torch.h>

#include "core/model/minibatch_stddev.h"

namespace gandl::model {

DiscriminatorBlockImpl::DiscriminatorBlockImpl(DiscriminatorBlockOptions options_) : options(std::move(options_)) {
  reset();
}

void DiscriminatorBlockImpl::reset() {
  const int64_t tmp = options.tmp_channels(), out = options.out_channels();
  TORCH_CHECK(options.in_channels() == 0 || options.in_channels() == tmp,
              "DiscriminatorBlock: in_channels must be 0 or tmp_channels");
  if (options.in_channels() == 0) {
    fromrgb = register_module(
        "fromrgb",
        EqualizedConv2d(EqualizedConv2dOptions(options.image_channels(), tmp, 1).activation(Activation::LeakyRelu)));
  }
  conv0 =
      register_module("conv0", EqualizedConv2d(EqualizedConv2dOptions(tmp, tmp, 3).activation(Activation::LeakyRelu)));
  conv1 = register_module(
      "conv1", EqualizedConv2d(EqualizedConv2dOptions(tmp, out, 3).activation(Activation::LeakyRelu).down(2)));
  skip = register_module("skip", EqualizedConv2d(EqualizedConv2dOptions(tmp, out, 1).bias(false).down(2)));
}

torch::Tensor DiscriminatorBlockImpl::forward(const torch::Tensor& x) {
  const int64_t res = options.resolution();
  const int64_t expected = options.in_channels() == 0 ? options.image_channels() : options.in_channels();
  TORCH_CHECK(x.dim() == 4 && x.size(1) == expected && x.size(2) == res && x.size(3) == res, "DiscriminatorBlock ", res,
              ": expected [N, ", expected, ", ", res, ", ", res, "], got ", x.sizes());
  const auto input = options.in_channels() == 0 ? fromrgb->forward(x) : x;
  const double halfGain = std::sqrt(0.5);  // keeps the sum of two unit-variance paths at unit variance
  const auto shortcut = skip->forward(input, halfGain);
  return shortcut + conv1->forward(conv0->forward(input), halfGain);
}

DiscriminatorEpilogueImpl::DiscriminatorEpilogueImpl(DiscriminatorEpilogueOptions options_)
    : options(std::move(options_)) {
  reset();
}

void DiscriminatorEpilogueImpl::reset() {
  const int64_t c = options.in_channels(), res = options.resolution();
  conv = register_module(
      "conv",
      EqualizedConv2d(EqualizedConv2dOptions(c + options.mbstd_channels(), c, 3).activation(Activation::LeakyRelu)));
  fc = register_module("fc",
                       EqualizedLinear(EqualizedLinearOptions(c * res * res, c).activation(Activation::LeakyRelu)));
  out = register_module("out", EqualizedLinear(EqualizedLinearOptions(c, 1)));
}

torch::Tensor DiscriminatorEpilogueImpl::features(const torch::Tensor& x, int64_t mbstd_group) {
  const int64_t c = options.in_channels(), res = options.resolution();
  TORCH_CHECK(x.dim() == 4 && x.size(1) == c && x.size(2) == res && x.size(3) == res,
              "DiscriminatorEpilogue: expected [N, ", c, ", ", res, ", ", res, "], got ", x.sizes());
  const auto withStddev = minibatchStddev(x, mbstd_group, options.mbstd_channels());
  return fc->forward(conv->forward(withStddev).flatten(1));
}

torch::Tensor DiscriminatorEpilogueImpl::forward(const torch::Tensor& x) {
  return out->forward(features(x, options.mbstd_group()));
}

DiscriminatorImpl::DiscriminatorImpl(NetworkConfig config_) : config(std::move(config_)) { reset(); }

void DiscriminatorImpl::reset() {
  config.validate();
  blocks.clear();
  for (int res = config.resolution; res >= 8; res /= 2) {
    const int64_t in = res == config.resolution ? 0 : config.channelsAt(res);
    blocks.push_back(
        register_module("b" + std::to_string(res),
                        DiscriminatorBlock(DiscriminatorBlockOptions(
                            in, config.channelsAt(res), config.channelsAt(res / 2), res, config.image_channels))));
  }
  epilogue = register_module("b4", DiscriminatorEpilogue(DiscriminatorEpilogueOptions(config.channelsAt(4))
                                                             .mbstd_group(config.mbstd_group)
                                                             .mbstd_channels(config.mbstd_channels)));
}

torch::Tensor DiscriminatorImpl::normalizeInput(const torch::Tensor& images) const {
  if (!config.normalizesInput()) return images;
  return (images - perChannel(config.input_mean, images)) / perChannel(config.input_scale, images);
}

torch::Tensor DiscriminatorImpl::trunk(const torch::Tensor& images) {
  auto x = normalizeInput(images);
  for (auto& block : blocks) x = block->forward(x);
  return x;
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& images) { return epilogue->forward(trunk(images)); }

torch::Tensor DiscriminatorImpl::features(const torch::Tensor& images) {
  return epilogue->features(trunk(images), config.mbstd_group);
}

torch::Tensor DiscriminatorImpl::embed(const torch::Tensor& images) { return epilogue->features(trunk(images), 1); }

torch::Tensor DiscriminatorImpl::multiscale(const torch::Tensor& images) {
  std::vector<torch::Tensor> pooled;
  auto x = normalizeInput(images);
  for (auto& block : blocks) {
    x = block->forward(x);
    pooled.push_back(x.mean({2, 3}));
  }
  const auto withStddev = minibatchStddev(x, 1, epilogue->options.mbstd_channels());
  pooled.push_back(epilogue->conv->forward(withStddev).mean({2, 3}));
  return torch::cat(pooled, 1);
}

int64_t DiscriminatorImpl::multiscaleDim() const {
  int64_t dim = config.channelsAt(4);  // the epilogue conv
  for (int res = config.resolution; res >= 8; res /= 2) dim += config.channelsAt(res / 2);
  return dim;
}

}  // namespace gandl::model
