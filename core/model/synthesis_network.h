#pragma once
// StyleGAN2's synthesis network in the "skip" architecture: a learned 4x4 constant, then one
// block per resolution with two modulated 3x3 convolutions (the first upsamples 2x) and a 1x1
// ToRGB whose output is added to the FIR-upsampled image of the blocks below. Follows ada's
// SynthesisBlock / SynthesisNetwork (fp32, no conv clamping); module names match ada's
// (b4.const, b8.conv0, b8.torgb, ...).

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/modulated_conv.h"

namespace gandl::model {

struct SynthesisBlockOptions {
  SynthesisBlockOptions(int64_t in_channels, int64_t out_channels, int64_t w_dim, int64_t resolution,
                        int64_t image_channels)
      : in_channels_(in_channels),
        out_channels_(out_channels),
        w_dim_(w_dim),
        resolution_(resolution),
        image_channels_(image_channels) {}
  TORCH_ARG(int64_t, in_channels);  // 0 = the first block, which starts from the constant
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, w_dim);
  TORCH_ARG(int64_t, resolution);
  TORCH_ARG(int64_t, image_channels);
  TORCH_ARG(ModulationMode, mode) = ModulationMode::ScaledActivations;
};

struct SynthesisBlockImpl : torch::nn::Cloneable<SynthesisBlockImpl> {
  explicit SynthesisBlockImpl(SynthesisBlockOptions options);
  void reset() override;
  // x [N, in, res/2, res/2] (undefined for the first block), img [N, C, res/2, res/2] (undefined
  // for the first block), ws [N, numConv() + 1, w_dim] -> (x [N, out, res, res], img [N, C, res, res]).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& img,
                                                  const torch::Tensor& ws, NoiseMode noise_mode = NoiseMode::Random);
  // Modulated 3x3 convolutions in this block: 1 for the 4x4 block, 2 otherwise.
  int64_t numConv() const { return options.in_channels() == 0 ? 1 : 2; }

  SynthesisBlockOptions options;
  torch::Tensor constant;         // "const" [out, 4, 4], first block only
  SynthesisLayer conv0{nullptr};  // upsampling conv, not in the first block
  SynthesisLayer conv1{nullptr};
  ToRgbLayer torgb{nullptr};
  torch::Tensor resample_filter;  // [4, 4] buffer for the image upsampling
};
TORCH_MODULE(SynthesisBlock);

struct SynthesisNetworkOptions {
  SynthesisNetworkOptions(int64_t w_dim, int64_t resolution, int64_t image_channels)
      : w_dim_(w_dim), resolution_(resolution), image_channels_(image_channels) {}
  TORCH_ARG(int64_t, w_dim);
  TORCH_ARG(int64_t, resolution);
  TORCH_ARG(int64_t, image_channels);
  TORCH_ARG(int64_t, channel_base) = 2048;
  TORCH_ARG(int64_t, channel_max) = 512;
  TORCH_ARG(ModulationMode, mode) = ModulationMode::ScaledActivations;
  // The image leaves as img * output_scale + output_mean per channel (NetworkConfig's input
  // standardisation undone); empty: as the last ToRGB made it.
  TORCH_ARG(std::vector<double>, output_mean);
  TORCH_ARG(std::vector<double>, output_scale);
};

struct SynthesisNetworkImpl : torch::nn::Cloneable<SynthesisNetworkImpl> {
  explicit SynthesisNetworkImpl(SynthesisNetworkOptions options);
  void reset() override;
  // ws [N, numWs(), w_dim] -> images [N, image_channels, resolution, resolution]. Each w drives
  // one modulated conv; a block's ToRGB shares its w with the next block's first conv, and the
  // last ToRGB takes the final w (ada's indexing), so numWs() = 2 * log2(resolution) - 2.
  torch::Tensor forward(const torch::Tensor& ws, NoiseMode noise_mode = NoiseMode::Random);
  int64_t numWs() const { return num_ws_; }

  SynthesisNetworkOptions options;
  std::vector<SynthesisBlock> blocks;  // registered as b4, b8, ..., b<resolution>

 private:
  int64_t num_ws_ = 0;
};
TORCH_MODULE(SynthesisNetwork);

}  // namespace gandl::model
