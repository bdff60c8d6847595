#pragma once
// Images from a run's EMA generator at a seed and truncation: what the workbench's generated-
// images panel shows and `gandl sample` could write. Torch-free facade (the .cpp includes
// LibTorch), so the GUI samples without seeing ATen. Reads training checkpoints and
// inference-only exports (`gandl export-model`, the shipped demo model) alike; builds no
// optimizer and draws from its own generator seeded with `seed`, never from the global one, so it
// can run beside a training task.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/composite.h"

namespace gandl::pipeline {

struct GeneratedImages {
  std::int64_t step = 0;  // the checkpoint's step
  int count = 0, channels = 0, height = 0, width = 0;
  std::vector<float> pixels;  // [N][C][H][W] in [-1, 1]
  // The display ranges of the run's training sample grids (readSampleDisplay), so these images
  // can be shown as those are; empty when the model folder has none (an export).
  std::vector<data::ChannelStyle> display;
};

// The display ranges a run's sample grids are drawn with, `<run>/samples/display.json` (written
// by `gandl train` from a real site of its screen). Empty when absent or unreadable.
std::vector<data::ChannelStyle> readSampleDisplay(const std::filesystem::path& run);
// Writes them atomically; throws std::runtime_error naming the file.
void writeSampleDisplay(const std::filesystem::path& run, const std::vector<data::ChannelStyle>& styles);

// `model`: a run folder, an export, or "demo" (resolved like `gandl embed --checkpoint`).
// Throws std::runtime_error naming the folder when it has no config or checkpoint, and
// std::invalid_argument for a count < 1 or a truncation outside [0, 1].
GeneratedImages sampleGenerator(const std::string& model, std::uint64_t seed, int count, double truncation,
                                const std::string& device = "cpu");

}  // namespace gandl::pipeline
