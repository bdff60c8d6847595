#pragma once
// Trains GAN-DL (StyleGAN2's adversarial game on raw 5-channel images) into a run directory:
// config.json, step-<N>.pt checkpoints (atomic), `latest`, metrics.jsonl. A run stopped at any
// point resumes exactly: batch k of the data depends only on (seed, k), and the checkpoint holds
// the networks, the EMA generator, both Adam states, the path-length mean and the RNG state.
// Torch-free facade: the CLI and the GUI include this header without LibTorch.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/common/image_source.h"
#include "core/model/training_config.h"
#include "core/model/world.h"
#include "core/tasks/progress.h"

namespace gandl::model {

struct TrainingCallbacks {
  // Each logging step's metrics (the line also appended to metrics.jsonl).
  std::function<void(const nlohmann::json& metrics)> metrics;
  // The EMA generator's images of the run's fixed latents, every sample_every steps and at the end.
  std::function<void(std::int64_t step, const common::HostBatch& images)> samples;
  // A checkpoint was written.
  std::function<void(std::int64_t step, const std::filesystem::path& file)> checkpoint;
};

struct TrainingResult {
  std::int64_t step = 0;       // steps done in total (including before a resume)
  bool finished = false;       // reached config.steps (false: cancelled)
  std::int64_t bad_steps = 0;  // steps skipped for non-finite losses
  double seconds = 0.0;        // wall time of this invocation
  double data_wait_seconds = 0.0;
};

// Trains into `runDir`. With resume = false the folder must hold no checkpoint; with resume = true
// it must, and its stored config is used (only `steps` may be raised by `config`). On cancel a
// checkpoint of the current step is written before tasks::Cancelled propagates.
//
// With world.size > 1 this process is one rank of a data-parallel job (collective.h): it trains
// on its share of every global batch (rankMembers), the gradients are averaged over the ranks
// every phase, and rank 0 alone writes checkpoints, metrics and samples (callbacks are called on
// rank 0 only). Needs config.draws == "keyed", under which the job computes what one process
// with the same global batch computes, and resumes under any world size.
TrainingResult train(const TrainingConfig& config, const std::filesystem::path& runDir, common::ImageSource& source,
                     const std::string& device, bool resume, const tasks::TaskContext& context = {},
                     const TrainingCallbacks& callbacks = {}, const World& world = {});

}  // namespace gandl::model
