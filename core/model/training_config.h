#pragma once
// Every hyperparameter of a GAN-DL training run, stored as the run directory's config.json.
// Defaults follow StyleGAN2-ADA (NVlabs/stylegan2-ada-pytorch) where GAN-DL does not say
// otherwise; see docs/model.md for the reason behind each. Torch-free.

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/model/network_config.h"

namespace gandl::model {

enum class GanLoss { Logistic, WassersteinGp };

struct TrainingConfig {
  NetworkConfig network;
  int batch = 16;             // images per step; >= 8 (batch 4 went NaN in ros issue 210)
  std::int64_t steps = 1000;  // total optimizer steps of the main phases
  double g_lr = 0.0025;
  double d_lr = 0.0025;
  double beta1 = 0.0;
  double beta2 = 0.99;
  double adam_eps = 1e-8;
  GanLoss loss = GanLoss::Logistic;
  double r1_gamma = -1.0;  // < 0: ada's heuristic 0.0002 * res^2 / batch
  int r1_interval = 16;    // lazy R1: every 16 D steps
  double pl_weight = 0.0;  // path-length regularisation; 2 enables it (ada's value)
  int pl_interval = 4;
  double pl_decay = 0.01;
  int pl_batch_shrink = 2;
  double gp_lambda = 10.0;      // WGAN-GP
  double wgan_epsilon = 0.001;  // WGAN-GP drift term
  double style_mixing = 0.9;
  // A contrastive term on D's embedding (NT-Xent between two augmented views of each real image,
  // the batch's other images as negatives), added to D's loss with this weight; 0: off (the
  // reference). Not in StyleGAN2 or the GAN-DL paper: see docs/model.md.
  double contrastive_weight = 0.0;
  double contrastive_temperature = 0.1;
  // The positive pairs: "site" (two different tiles of one site, each augmented: what the views
  // of a field share is its biology and its plate, not its layout) or "image" (two augmentations
  // of one training image).
  std::string contrastive_pairs = "site";
  double ema_kimg = -1.0;    // < 0: ada's batch * 10 / 32
  double ema_rampup = 0.05;  // ema half-life limited to rampup * images seen; 0 disables
  bool augment = true;       // flips, 90-degree rotations, integer shifts
  int augment_shift = -1;    // max shift in pixels; < 0: resolution / 8
  std::uint64_t seed = 0;
  std::string view = "resize";  // how sites become images: "resize" or "tiles"
  // Standardise every channel by the training screen's mean and sd, measured on its images before
  // the first step and stored in network.input_mean / input_scale (NetworkConfig).
  bool normalize_input = false;
  // Where the step's random draws come from: "stream" (LibTorch's global stream in ada's order,
  // one process only) or "keyed" (one stream per image of the global batch, keyed by seed, step
  // and position: the same step on any number of ranks; sample_draws.h).
  std::string draws = "stream";
  // Arithmetic of the training step: "fp32", or "bf16" (G's synthesis and D's forward passes
  // under autocast: convolutions and matrix products in bfloat16; weights, optimizer state,
  // losses and penalties in float32). Embedding and probing always run in float32.
  std::string precision = "fp32";
  int checkpoint_every = 500;  // steps; the last step is always checkpointed
  int keep_checkpoints = 3;
  int log_every = 10;
  int sample_every = 250;
  int sample_count = 16;
  int max_bad_steps = 10;  // consecutive non-finite losses before the run stops

  double r1Gamma() const;
  double emaKimg() const;
  int augmentShift() const;
  void validate() const;  // throws std::invalid_argument naming the field, value, expectation

  nlohmann::json toJson() const;
  static TrainingConfig fromJson(const nlohmann::json& json);
};

}  // namespace gandl::model
