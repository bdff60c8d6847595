#pragma once
// Equalized-learning-rate layers (Karras et al., ProGAN/StyleGAN): weights are stored as unit
// Gaussians and scaled by 1/sqrt(fan_in) at run time, so Adam sees every layer at the same scale.
// A learning-rate multiplier (the mapping network's 0.01) divides the stored weights and multiplies
// the run-time gains, which makes the effective step size of that layer lr * lr_multiplier.
// Parameter names and semantics follow ada's FullyConnectedLayer and Conv2dLayer
// (training/networks.py), so state dicts line up name for name.

#include <cstdint>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace gandl::model {

enum class Activation { Linear, LeakyRelu };

// Slope and output gain of StyleGAN's leaky ReLU: 0.2 and sqrt(2), which keeps the second moment
// of a unit-Gaussian input roughly unchanged.
inline constexpr double kLeakySlope = 0.2;
double activationGain(Activation activation);

// x + bias (broadcast over dim 1; undefined bias = none), the activation, then times
// activationGain(activation) * gain. The reference's bias_act without clamping.
torch::Tensor biasActivation(const torch::Tensor& x, const torch::Tensor& bias, Activation activation,
                             double gain = 1.0);

// One value per channel as a [1, C, 1, 1] tensor in `like`'s dtype and device, to broadcast over
// images [N, C, H, W] (the networks' input standardisation, NetworkConfig::input_mean / _scale).
torch::Tensor perChannel(const std::vector<double>& values, const torch::Tensor& like);

struct EqualizedLinearOptions {
  EqualizedLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(Activation, activation) = Activation::Linear;
  TORCH_ARG(double, lr_multiplier) = 1.0;
  TORCH_ARG(double, bias_init) = 0.0;  // the style affines start at 1
};

// y = act(x W^T * (lr_mul / sqrt(in)) + b * lr_mul), W ~ N(0, 1) / lr_mul.
struct EqualizedLinearImpl : torch::nn::Cloneable<EqualizedLinearImpl> {
  explicit EqualizedLinearImpl(EqualizedLinearOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  double weightGain() const;
  double biasGain() const { return options.lr_multiplier(); }

  EqualizedLinearOptions options;
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out], undefined without bias
};
TORCH_MODULE(EqualizedLinear);

struct EqualizedConv2dOptions {
  EqualizedConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(Activation, activation) = Activation::Linear;
  TORCH_ARG(int64_t, up) = 1;    // 1 or 2: FIR [1,3,3,1] upsampling
  TORCH_ARG(int64_t, down) = 1;  // 1 or 2: FIR [1,3,3,1] downsampling
};

// Same-padded convolution with weight gain 1/sqrt(in * k * k), optional FIR up/downsampling
// (fir_resample.h) and a fused bias + activation. forward's `gain` (> 0) scales the activation
// output (the resnet discriminator passes sqrt(0.5)).
struct EqualizedConv2dImpl : torch::nn::Cloneable<EqualizedConv2dImpl> {
  explicit EqualizedConv2dImpl(EqualizedConv2dOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x, double gain = 1.0);

  double weightGain() const;

  EqualizedConv2dOptions options;
  torch::Tensor weight;           // [out, in, k, k]
  torch::Tensor bias;             // [out], undefined without bias
  torch::Tensor resample_filter;  // [4, 4] buffer, only when resampling
};
TORCH_MODULE(EqualizedConv2d);

}  // namespace gandl::model
