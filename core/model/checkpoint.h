#pragma once
// Everything a training run needs to continue exactly, and its (de)serialisation as one
// step-<N>.pt archive written to a temporary name and renamed into place.

#include <torch/optim/adam.h>

#include <filesystem>
#include <memory>

#include "core/model/discriminator.h"
#include "core/model/generator.h"
#include "core/model/training_config.h"

namespace gandl::model {

struct TrainingState {
  explicit TrainingState(const TrainingConfig& config);

  TrainingConfig config;
  Generator generator{nullptr};
  Discriminator discriminator{nullptr};
  Generator generatorEma{nullptr};  // exponential moving average of the generator's weights
  std::unique_ptr<torch::optim::Adam> generatorOptimizer;
  std::unique_ptr<torch::optim::Adam> discriminatorOptimizer;
  torch::Tensor plMean;   // path-length running mean
  std::int64_t step = 0;  // main-phase steps done

  void to(const torch::Device& device);
};

// Writes networks, optimizer states, step, path-length mean and the CPU RNG state.
void saveCheckpoint(const TrainingState& state, const std::filesystem::path& file);
// Restores into a state built from the same config; restores the CPU RNG state too. Throws
// std::runtime_error naming the file when it is unreadable or of another architecture.
void loadCheckpoint(TrainingState& state, const std::filesystem::path& file);

// Only the discriminator of a checkpoint (for embedding), on `device`, in eval mode.
Discriminator loadDiscriminator(const std::filesystem::path& runDir, const torch::Device& device,
                                std::int64_t* step = nullptr, std::string* checkpointFile = nullptr);

// The discriminator of one checkpoint file (any step of a run, or an export) of `network`.
Discriminator loadDiscriminatorFile(const std::filesystem::path& file, const NetworkConfig& network,
                                    const torch::Device& device);

// The generator EMA of a checkpoint (what sample grids and the GUI's generated images show), on
// `device`, in eval mode.
Generator loadGeneratorEma(const std::filesystem::path& runDir, const torch::Device& device,
                           std::int64_t* step = nullptr);

// An inference-only copy of a run's latest checkpoint in `outDir` (config.json, step-<N>.pt,
// latest): the discriminator and the generator EMA, in half precision when `half` (a 64 px,
// channel_base 2048 model: 32 MB instead of 220 MB with optimizer states). Every embedding and
// sampling path loads it like a full checkpoint (weights come back as float32); training cannot
// resume from it and says so. Returns the written checkpoint file.
// `outDir` must not exist, be empty, or (with `overwrite`) hold an earlier export, whose
// checkpoints are replaced; a folder with a training checkpoint (another run) or other files is
// refused, naming it (std::runtime_error).
std::filesystem::path exportInferenceCheckpoint(const std::filesystem::path& runDir,
                                                const std::filesystem::path& outDir, bool half = true,
                                                bool overwrite = false);

}  // namespace gandl::model
