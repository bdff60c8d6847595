#include "core/model/equalized_layers.h"

#include <cmath>

#include <torch/torch.h>

#include "core/model/fir_resample.h"

namespace gandl::model {

double activationGain(Activation activation) { return activation == Activation::LeakyRelu ? std::sqrt(2.0) : 1.0; }

torch::Tensor biasActivation(const torch::Tensor& x, const torch::Tensor& bias, Activation activation, double gain) {
  auto y = x;
  if (bias.defined()) {
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = -1;
    y = y + bias.to(x.dtype()).view(shape);
  }
  if (activation == Activation::LeakyRelu) y = torch::leaky_relu(y, kLeakySlope);
  const double totalGain = activationGain(activation) * gain;
  return totalGain == 1.0 ? y : y * totalGain;
}

EqualizedLinearImpl::EqualizedLinearImpl(EqualizedLinearOptions options_) : options(std::move(options_)) { reset(); }

void EqualizedLinearImpl::reset() {
  TORCH_CHECK(options.in_features() > 0 && options.out_features() > 0,
              "EqualizedLinear: feature counts must be positive, got ", options.in_features(), " -> ",
              options.out_features());
  TORCH_CHECK(options.lr_multiplier() > 0, "EqualizedLinear: lr_multiplier must be positive, got ",
              options.lr_multiplier());
  weight = register_parameter("weight",
                              torch::randn({options.out_features(), options.in_features()}) / options.lr_multiplier());
  if (options.bias()) bias = register_parameter("bias", torch::full({options.out_features()}, options.bias_init()));
}

double EqualizedLinearImpl::weightGain() const {
  return options.lr_multiplier() / std::sqrt(static_cast<double>(options.in_features()));
}

torch::Tensor EqualizedLinearImpl::forward(const torch::Tensor& x) {
  // Leaky ReLU is positively homogeneous, lrelu(a) * g = lrelu(a * g) for g > 0, so its output
  // gain folds into the weight and bias; the weight's scale rides in addmm's alpha, so the layer
  // never materialises a scaled copy of its (up to 8192 x 512) weight.
  const double outputGain = activationGain(options.activation());
  const double scale = weightGain() * outputGain;
  const auto w = weight.to(x.dtype()).t();
  const auto y = bias.defined() ? torch::addmm(bias.to(x.dtype()) * (biasGain() * outputGain), x, w, 1.0, scale)
                                : x.matmul(w) * scale;
  return options.activation() == Activation::LeakyRelu ? torch::leaky_relu(y, kLeakySlope) : y;
}

EqualizedConv2dImpl::EqualizedConv2dImpl(EqualizedConv2dOptions options_) : options(std::move(options_)) { reset(); }

void EqualizedConv2dImpl::reset() {
  TORCH_CHECK(options.in_channels() > 0 && options.out_channels() > 0 && options.kernel_size() > 0,
              "EqualizedConv2d: channel counts and kernel size must be positive");
  TORCH_CHECK(options.up() >= 1 && options.down() >= 1 && (options.up() == 1 || options.down() == 1),
              "EqualizedConv2d: up and down must be >= 1 and not both > 1");
  const int64_t k = options.kernel_size();
  weight = register_parameter("weight", torch::randn({options.out_channels(), options.in_channels(), k, k}));
  if (options.bias()) bias = register_parameter("bias", torch::zeros({options.out_channels()}));
  if (options.up() > 1 || options.down() > 1) resample_filter = register_buffer("resample_filter", makeFirFilter());
}

double EqualizedConv2dImpl::weightGain() const {
  const auto k = static_cast<double>(options.kernel_size());
  return 1.0 / std::sqrt(static_cast<double>(options.in_channels()) * k * k);
}

torch::Tensor EqualizedConv2dImpl::forward(const torch::Tensor& x, double gain) {
  TORCH_CHECK(gain > 0, "EqualizedConv2d: gain must be positive, got ", gain);
  // As in EqualizedLinear, the output gain folds into weight and bias (the bias rides inside
  // the convolution), which saves two passes over the activations.
  const double outputGain = activationGain(options.activation()) * gain;
  const auto w = weight.to(x.dtype()) * (weightGain() * outputGain);
  const auto b = bias.defined() ? bias.to(x.dtype()) * outputGain : torch::Tensor();
  // ada correlates when not upsampling and convolves (flipped weight) when upsampling.
  const bool flipWeight = options.up() == 1;
  const auto y =
      conv2dResample(x, w, resample_filter, options.up(), options.down(), options.kernel_size() / 2, 1, flipWeight, b);
  return options.activation() == Activation::LeakyRelu ? torch::leaky_relu(y, kLeakySlope) : y;
}

torch::Tensor perChannel(const std::vector<double>& values, const torch::Tensor& like) {
  return torch::tensor(values, torch::TensorOptions().dtype(torch::kDouble))
      .to(like.options())
      .view({1, static_cast<int64_t>(values.size()), 1, 1});
}

}  // namespace gandl::model
