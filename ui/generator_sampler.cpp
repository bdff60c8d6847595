#include "ui/generator_sampler.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::ui {

GeneratedImages sampleGenerator(const std::filesystem::path& runDir, std::uint64_t seed, int count,
                                double truncation, const std::string& device) {
  const model::RunDirectory run(runDir);
  const auto step = run.latestStep();
  if (!step) throw std::runtime_error(runDir.string() + ": no step-<N>.pt checkpoint to sample from");
  model::TrainingState state(run.readConfig());
  model::loadCheckpoint(state, run.checkpointPath(*step));
  const torch::Device target(model::resolveDevice(device));
  state.generatorEma->to(target);
  state.generatorEma->eval();
  torch::NoGradGuard noGrad;
  auto generator = at::detail::createCPUGenerator(seed);
  const auto z = torch::randn({count, state.config.network.z_dim}, generator).to(target);
  const auto images = state.generatorEma->sample(z, truncation).to(torch::kCPU).contiguous();
  GeneratedImages out;
  out.step = *step;
  out.count = count;
  out.channels = static_cast<int>(images.size(1));
  out.height = static_cast<int>(images.size(2));
  out.width = static_cast<int>(images.size(3));
  out.pixels.assign(images.data_ptr<float>(), images.data_ptr<float>() + images.numel());
  return out;
}

}  // namespace gandl::ui
