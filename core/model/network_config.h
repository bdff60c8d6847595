#pragma once
// The architecture hyperparameters of GAN-DL's StyleGAN2 (generator and discriminator), as one
// value type that checkpoints store in config.json and every tool validates before it builds a
// network. Defaults follow the ada reference (NVlabs/stylegan2-ada-pytorch) with GAN-DL's
// changes (3 mapping layers, 5 image channels); see shared/reference/stylegan2.md.
// Torch-free, so the CLI and the GUI can read and check a configuration without LibTorch.

#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace gandl::model {

// Feature maps of a block of side `res`: min(channel_base / res, channel_max) (ada's rule).
int channelsAt(int channel_base, int channel_max, int res);

struct NetworkConfig {
  int resolution = 64;     // image side in pixels: a power of two, 32..512
  int image_channels = 5;  // RxRx19a's five stains
  int z_dim = 512;
  int w_dim = 512;
  int mapping_layers = 3;  // GAN-DL's choice; the reference StyleGAN2 uses 8
  double mapping_lr_multiplier = 0.01;
  double w_avg_beta = 0.995;  // decay of the tracked mean of w (truncation centre)
  // The reference uses 32768 (16384 for its fast setting). 2048 is the largest base whose networks
  // train at a usable speed on a desktop CPU at 64 px (a D forward of 16 images in ~0.15 s instead
  // of ~2.5 s at 16384) and still gives 512 channels at 4x4, so the embedding stays 512-d.
  int channel_base = 2048;
  int channel_max = 512;
  int mbstd_group = 4;     // minibatch-stddev group size (training)
  int mbstd_channels = 1;  // minibatch-stddev feature channels (0 disables the layer)
  // Per-channel input standardisation, part of both networks: D sees (x - input_mean) /
  // input_scale and G's image is its output * input_scale + input_mean, so both work on images of
  // unit contrast while everything outside them (data, samples, embedding) stays in [-1, 1].
  // Empty: none (the reference's choice). Otherwise one value per image channel; `gandl train
  // --normalize-input` measures them on the training screen (fluorescence fields are dark: mean
  // about -0.85, sd 0.08-0.14 in [-1, 1]).
  std::vector<double> input_mean, input_scale;

  // Feature maps at a block of side `res`: min(channel_base / res, channel_max).
  int channelsAt(int res) const;
  // Number of w vectors the synthesis network consumes: 2 * log2(resolution) - 2.
  int numWs() const;
  // Width of the discriminator's epilogue FC layer, i.e. of the GAN-DL embedding: channelsAt(4).
  int embeddingDim() const;
  // log2(resolution).
  int resolutionLog2() const;
  bool normalizesInput() const { return !input_mean.empty(); }
  // Block sides from 4 up to resolution: {4, 8, ..., resolution}.
  std::vector<int> blockResolutions() const;

  // Throws std::invalid_argument naming the first bad field, its value and what was expected.
  void validate() const;

  nlohmann::json toJson() const;
  // Keys absent from `json` keep their defaults; an unknown key or a value of the wrong type
  // throws std::invalid_argument naming it. The result is validated.
  static NetworkConfig fromJson(const nlohmann::json& json);

  bool operator==(const NetworkConfig& other) const;
  bool operator!=(const NetworkConfig& other) const { return !(*this == other); }
};

}  // namespace gandl::model
