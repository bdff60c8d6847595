#include "core/model/modulated_conv.h"

#include <cmath>

#include <torch/torch.h>

#include "core/model/fir_resample.h"
#include "core/model/sample_draws.h"

namespace gandl::model {

torch::Tensor modulatedConv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& styles,
                              const ModulatedConvOptions& options, const torch::Tensor& noise,
                              const torch::Tensor& filter) {
  TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && x.size(1) == weight.size(1), "modulatedConv2d: x ", x.sizes(),
              " does not fit weight ", weight.sizes());
  const int64_t batch = x.size(0), inChannels = weight.size(1), outChannels = weight.size(0);
  TORCH_CHECK(styles.dim() == 2 && styles.size(0) == batch && styles.size(1) == inChannels,
              "modulatedConv2d: expected styles [", batch, ", ", inChannels, "], got ", styles.sizes());
  const auto w = weight.to(x.dtype());
  const auto s = styles.to(x.dtype());

  // sum over (i, kh, kw) of (w[o,i] * s[n,i])^2 = sum_i s[n,i]^2 * |w[o,i]|^2: one small matrix
  // product instead of materialising a weight per sample.
  torch::Tensor demodulation;  // [N, O]
  if (options.demodulate()) demodulation = torch::rsqrt(torch::mm(s.square(), w.square().sum({2, 3}).t()) + 1e-8);

  if (options.mode() == ModulationMode::ScaledActivations) {
    auto y = x * s.view({batch, inChannels, 1, 1});
    y = conv2dResample(y, w, filter, options.up(), 1, options.padding(), 1, options.flip_weight());
    if (options.demodulate()) y = y * demodulation.view({batch, outChannels, 1, 1});
    return noise.defined() ? y + noise : y;
  }

  auto perSample = w.unsqueeze(0) * s.view({batch, 1, inChannels, 1, 1});  // [N, O, I, k, k]
  if (options.demodulate()) perSample = perSample * demodulation.view({batch, outChannels, 1, 1, 1});
  auto y = conv2dResample(x.reshape({1, batch * inChannels, x.size(2), x.size(3)}),
                          perSample.reshape({batch * outChannels, inChannels, w.size(2), w.size(3)}), filter,
                          options.up(), 1, options.padding(), batch, options.flip_weight());
  y = y.reshape({batch, outChannels, y.size(2), y.size(3)});
  return noise.defined() ? y + noise : y;
}

SynthesisLayerImpl::SynthesisLayerImpl(SynthesisLayerOptions options_) : options(std::move(options_)) { reset(); }

void SynthesisLayerImpl::reset() {
  const int64_t k = options.kernel_size();
  affine = register_module(
      "affine", EqualizedLinear(EqualizedLinearOptions(options.w_dim(), options.in_channels()).bias_init(1.0)));
  weight = register_parameter("weight", torch::randn({options.out_channels(), options.in_channels(), k, k}));
  if (options.use_noise()) {
    noise_const = register_buffer("noise_const", torch::randn({options.resolution(), options.resolution()}));
    noise_strength = register_parameter("noise_strength", torch::zeros({}));
  }
  bias = register_parameter("bias", torch::zeros({options.out_channels()}));
  if (options.up() > 1) resample_filter = register_buffer("resample_filter", makeFirFilter());
}

torch::Tensor SynthesisLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noise_mode,
                                          double gain) {
  const int64_t inSide = options.resolution() / options.up();
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.in_channels() && x.size(2) == inSide && x.size(3) == inSide,
              "SynthesisLayer: expected x [N, ", options.in_channels(), ", ", inSide, ", ", inSide, "], got ",
              x.sizes());
  const auto styles = affine->forward(w);

  torch::Tensor noise;
  if (options.use_noise() && noise_mode == NoiseMode::Random) {
    // Per-image streams in a data-parallel step (sample_draws.h); the global stream otherwise.
    SampleDraws* draws = activeSampleDraws();
    const auto raw = draws ? draws->randn({1, options.resolution(), options.resolution()}).to(x.options())
                           : torch::randn({x.size(0), 1, options.resolution(), options.resolution()}, x.options());
    noise = raw * noise_strength.to(x.dtype());
  } else if (options.use_noise() && noise_mode == NoiseMode::Const) {
    noise = noise_const.to(x.dtype()) * noise_strength.to(x.dtype());
  }

  const auto convOptions = ModulatedConvOptions()
                               .up(options.up())
                               .padding(options.kernel_size() / 2)
                               .flip_weight(options.up() == 1)
                               .mode(options.mode());
  const auto y = modulatedConv2d(x, weight, styles, convOptions, noise, resample_filter);
  return biasActivation(y, bias, Activation::LeakyRelu, gain);
}

ToRgbLayerImpl::ToRgbLayerImpl(ToRgbLayerOptions options_) : options(std::move(options_)) { reset(); }

void ToRgbLayerImpl::reset() {
  affine = register_module(
      "affine", EqualizedLinear(EqualizedLinearOptions(options.w_dim(), options.in_channels()).bias_init(1.0)));
  weight = register_parameter("weight", torch::randn({options.out_channels(), options.in_channels(), 1, 1}));
  bias = register_parameter("bias", torch::zeros({options.out_channels()}));
}

torch::Tensor ToRgbLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& w) {
  // Without demodulation the equalized-LR gain 1/sqrt(in) has to be applied somewhere: ada puts
  // it on the styles.
  const double weightGain = 1.0 / std::sqrt(static_cast<double>(options.in_channels()));
  const auto styles = affine->forward(w) * weightGain;
  const auto y = modulatedConv2d(x, weight, styles, ModulatedConvOptions().demodulate(false).mode(options.mode()));
  return biasActivation(y, bias, Activation::Linear);
}

}  // namespace gandl::model
