#include "core/pipeline/generator_sampling.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::pipeline {

GeneratedImages sampleGenerator(const std::string& model, std::uint64_t seed, int count, double truncation,
                                const std::string& device) {
  if (count < 1) throw std::invalid_argument("sample count must be at least 1, got " + std::to_string(count));
  if (!(truncation >= 0.0 && truncation <= 1.0))
    throw std::invalid_argument("truncation must be in [0, 1], got " + std::to_string(truncation));
  const auto runDir = model::resolveCheckpointDirectory(model);
  const torch::Device target(model::resolveDevice(device));
  std::int64_t step = 0;
  model::Generator generator = model::loadGeneratorEma(runDir, target, &step);
  const int zDim = model::RunDirectory(runDir).readConfig().network.z_dim;
  torch::NoGradGuard noGrad;
  auto rng = at::detail::createCPUGenerator(seed);
  const auto z = torch::randn({count, zDim}, rng).to(target);
  const auto images = generator->sample(z, truncation).to(torch::kCPU, torch::kFloat).contiguous();
  GeneratedImages out;
  out.step = step;
  out.count = count;
  out.channels = static_cast<int>(images.size(1));
  out.height = static_cast<int>(images.size(2));
  out.width = static_cast<int>(images.size(3));
  out.pixels.assign(images.data_ptr<float>(), images.data_ptr<float>() + images.numel());
  return out;
}

}  // namespace gandl::pipeline
