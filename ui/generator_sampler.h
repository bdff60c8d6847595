#pragma once
// Images from a run's EMA generator at a seed and truncation, for the generated-images panel.
// Torch-free facade (the .cpp includes LibTorch and has no Q_OBJECT), so moc never sees ATen.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gandl::ui {

struct GeneratedImages {
  std::int64_t step = 0;  // the checkpoint's step
  int count = 0, channels = 0, height = 0, width = 0;
  std::vector<float> pixels;  // [N][C][H][W] in [-1, 1]
};

// Throws std::runtime_error naming the run folder when it has no config or checkpoint.
GeneratedImages sampleGenerator(const std::filesystem::path& runDir, std::uint64_t seed, int count,
                                double truncation, const std::string& device = "cpu");

}  // namespace gandl::ui
