#pragma once
// StyleGAN2's modulated convolution and the two generator layers built on it. A per-sample style
// vector (an affine map of w) scales the input channels of a shared weight; demodulation then
// rescales every output channel so that unit-variance inputs give unit-variance outputs, which
// replaces StyleGAN's AdaIN without its droplet artefacts. Semantics follow ada's
// modulated_conv2d, SynthesisLayer and ToRGBLayer (training/networks.py); parameter and buffer
// names match theirs.

#include <cstdint>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/equalized_layers.h"

namespace gandl::model {

// Per-pixel noise of a synthesis layer: fresh Gaussian noise, the layer's fixed noise_const
// buffer (reproducible images), or none.
enum class NoiseMode { Random, Const, None };

// Two formulations of the same function. Grouped builds one weight per sample and runs a grouped
// convolution (groups = batch), as ada does at inference; ScaledActivations scales the input by
// the styles and the output by the demodulation coefficients around one shared convolution, as
// ada does in training. On CPU the second is the one to use: at 64 px, batch 16, the per-sample
// weights make Grouped some 50x slower (4.6 s against 0.09 s for a generator forward).
enum class ModulationMode { ScaledActivations, Grouped };

struct ModulatedConvOptions {
  TORCH_ARG(int64_t, up) = 1;       // 1, or 2 for FIR upsampling before the convolution
  TORCH_ARG(int64_t, padding) = 0;  // counted on the upsampled image
  TORCH_ARG(bool, demodulate) = true;
  TORCH_ARG(bool, flip_weight) = true;  // false convolves; ada's upsampling layers do
  TORCH_ARG(ModulationMode, mode) = ModulationMode::ScaledActivations;
};

// x [N, I, H, W], weight [O, I, k, k], styles [N, I]; noise broadcastable to the output (or
// undefined) is added after demodulation; filter is the FIR filter when up > 1.
torch::Tensor modulatedConv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& styles,
                              const ModulatedConvOptions& options, const torch::Tensor& noise = {},
                              const torch::Tensor& filter = {});

struct SynthesisLayerOptions {
  SynthesisLayerOptions(int64_t in_channels, int64_t out_channels, int64_t w_dim, int64_t resolution)
      : in_channels_(in_channels), out_channels_(out_channels), w_dim_(w_dim), resolution_(resolution) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, w_dim);
  TORCH_ARG(int64_t, resolution);  // output side
  TORCH_ARG(int64_t, kernel_size) = 3;
  TORCH_ARG(int64_t, up) = 1;
  TORCH_ARG(bool, use_noise) = true;
  TORCH_ARG(ModulationMode, mode) = ModulationMode::ScaledActivations;
};

// Modulated 3x3 conv (optionally upsampling), + noise * strength, + bias, leaky ReLU * sqrt(2).
struct SynthesisLayerImpl : torch::nn::Cloneable<SynthesisLayerImpl> {
  explicit SynthesisLayerImpl(SynthesisLayerOptions options);
  void reset() override;
  // x [N, in, res/up, res/up], w [N, w_dim] -> [N, out, res, res]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, NoiseMode noise_mode = NoiseMode::Random,
                        double gain = 1.0);

  SynthesisLayerOptions options;
  EqualizedLinear affine{nullptr};  // w -> styles, bias initialised to 1
  torch::Tensor weight;             // [out, in, k, k], unit Gaussian (demodulation normalises)
  torch::Tensor bias;               // [out]
  torch::Tensor noise_strength;     // scalar, starts at 0
  torch::Tensor noise_const;        // [res, res] buffer
  torch::Tensor resample_filter;    // [4, 4] buffer when up > 1
};
TORCH_MODULE(SynthesisLayer);

struct ToRgbLayerOptions {
  ToRgbLayerOptions(int64_t in_channels, int64_t out_channels, int64_t w_dim)
      : in_channels_(in_channels), out_channels_(out_channels), w_dim_(w_dim) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);  // the image channels (5)
  TORCH_ARG(int64_t, w_dim);
  TORCH_ARG(ModulationMode, mode) = ModulationMode::ScaledActivations;
};

// 1x1 modulated conv without demodulation (styles scaled by 1/sqrt(in)), + bias, linear.
struct ToRgbLayerImpl : torch::nn::Cloneable<ToRgbLayerImpl> {
  explicit ToRgbLayerImpl(ToRgbLayerOptions options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w);

  ToRgbLayerOptions options;
  EqualizedLinear affine{nullptr};
  torch::Tensor weight;  // [out, in, 1, 1]
  torch::Tensor bias;    // [out]
};
TORCH_MODULE(ToRgbLayer);

}  // namespace gandl::model
