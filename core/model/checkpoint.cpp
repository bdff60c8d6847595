#include "core/model/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <unistd.h>

#include "core/model/global_rng.h"
#include "core/model/run_directory.h"

namespace gandl::model {
namespace {

// Adam options for a phase with lazy regularisation every `interval` steps (ada
// training_loop.py): lr and betas scaled so the regulariser's extra steps do not change the
// effective schedule.
torch::optim::AdamOptions adamOptions(double lr, const TrainingConfig& c, int interval) {
  const double ratio = interval > 0 ? static_cast<double>(interval) / (interval + 1) : 1.0;
  return torch::optim::AdamOptions(lr * ratio)
      .betas({std::pow(c.beta1, ratio), std::pow(c.beta2, ratio)})
      .eps(c.adam_eps);
}

constexpr const char* kInferenceKey = "inference_only";

bool isInferenceOnly(torch::serialize::InputArchive& archive) {
  torch::Tensor flag;
  return archive.try_read(kInferenceKey, flag) && flag.item<std::int64_t>() != 0;
}

constexpr const char* kHalfKey = "half_precision";

bool storesHalf(torch::serialize::InputArchive& archive) {
  torch::Tensor flag;
  return archive.try_read(kHalfKey, flag) && flag.item<std::int64_t>() != 0;
}

// Reads `key` into `module` in the archive's precision (InputArchive::read keeps a parameter's
// dtype), then leaves every parameter and buffer in float32.
template <typename ModuleHolder>
void loadAsFloat(ModuleHolder& module, torch::serialize::InputArchive& archive, const char* key) {
  if (storesHalf(archive)) module->to(torch::kHalf);
  torch::serialize::InputArchive part;
  archive.read(key, part);
  module->load(part);
  module->to(torch::kFloat32);
}

void writeArchive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  const auto temporary = file.parent_path() / (file.filename().string() + ".tmp-" + std::to_string(::getpid()));
  try {
    archive.save_to(temporary.string());
  } catch (const c10::Error& e) {
    std::filesystem::remove(temporary);
    throw std::runtime_error(temporary.string() +
                             ": cannot write checkpoint (disk full?): " + e.what_without_backtrace());
  }
  std::filesystem::rename(temporary, file);
}

}  // namespace

TrainingState::TrainingState(const TrainingConfig& c) : config(c) {
  config.validate();
  generator = Generator(config.network);
  discriminator = Discriminator(config.network);
  generatorEma = Generator(config.network);
  {
    torch::NoGradGuard noGrad;
    const auto source = generator->named_parameters();
    for (auto& p : generatorEma->named_parameters()) p.value().copy_(source[p.key()]);
    const auto buffers = generator->named_buffers();
    for (auto& b : generatorEma->named_buffers()) b.value().copy_(buffers[b.key()]);
  }
  generatorEma->eval();
  for (auto& p : generatorEma->parameters()) p.set_requires_grad(false);
  const int gInterval = config.pl_weight > 0 ? config.pl_interval : 0;
  const int dInterval = config.loss == GanLoss::Logistic && config.r1Gamma() > 0 ? config.r1_interval : 0;
  generatorOptimizer =
      std::make_unique<torch::optim::Adam>(generator->parameters(), adamOptions(config.g_lr, config, gInterval));
  discriminatorOptimizer =
      std::make_unique<torch::optim::Adam>(discriminator->parameters(), adamOptions(config.d_lr, config, dInterval));
  plMean = torch::zeros({});
}

void TrainingState::to(const torch::Device& device) {
  generator->to(device);
  discriminator->to(device);
  generatorEma->to(device);
  plMean = plMean.to(device);
}

void saveCheckpoint(const TrainingState& state, const std::filesystem::path& file) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive g, d, ema, gOpt, dOpt;
  state.generator->save(g);
  state.discriminator->save(d);
  state.generatorEma->save(ema);
  state.generatorOptimizer->save(gOpt);
  state.discriminatorOptimizer->save(dOpt);
  archive.write("generator", g);
  archive.write("discriminator", d);
  archive.write("generator_ema", ema);
  archive.write("generator_optimizer", gOpt);
  archive.write("discriminator_optimizer", dOpt);
  archive.write("step", torch::tensor(state.step, torch::kLong));
  archive.write("pl_mean", state.plMean.detach().cpu());
  archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state());
  writeArchive(archive, file);
}

void loadCheckpoint(TrainingState& state, const std::filesystem::path& file) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    if (isInferenceOnly(archive))
      throw std::runtime_error(file.string() +
                               ": is an inference-only export (discriminator and generator EMA, "
                               "no optimizer states); training cannot resume from it, start a new run");
    torch::serialize::InputArchive g, d, ema, gOpt, dOpt;
    archive.read("generator", g);
    archive.read("discriminator", d);
    archive.read("generator_ema", ema);
    archive.read("generator_optimizer", gOpt);
    archive.read("discriminator_optimizer", dOpt);
    state.generator->load(g);
    state.discriminator->load(d);
    state.generatorEma->load(ema);
    state.generatorOptimizer->load(gOpt);
    state.discriminatorOptimizer->load(dOpt);
    torch::Tensor step, plMean, rng;
    archive.read("step", step);
    archive.read("pl_mean", plMean);
    archive.read("rng_cpu", rng);
    state.step = step.item<std::int64_t>();
    state.plMean = plMean.to(state.plMean.device());
    auto generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(rng);
  } catch (const c10::Error& e) {
    throw std::runtime_error(file.string() + ": not a checkpoint of this configuration (" + e.what_without_backtrace() +
                             ")");
  }
}

namespace {

// One network of a checkpoint file, built from `network`, in float32, eval mode.
template <typename Network>
Network loadNetworkFile(const std::filesystem::path& file, const NetworkConfig& config, const char* key,
                        const char* what, const torch::Device& device) {
  Network network{nullptr};
  {
    IsolatedGlobalRng isolate;  // the initial weights are overwritten below: leave training's stream alone
    network = Network(config);
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    loadAsFloat(network, archive, key);
  } catch (const c10::Error& e) {
    throw std::runtime_error(file.string() + ": cannot read the " + what + " (" + e.what_without_backtrace() + ")");
  }
  network->to(device);
  network->eval();
  return network;
}

// One network of a run's latest checkpoint, built from the run's config.
template <typename Network>
Network loadLatestNetwork(const std::filesystem::path& runDir, const char* key, const char* what,
                          const torch::Device& device, std::int64_t* step, std::string* checkpointFile) {
  const RunDirectory run(runDir);
  const TrainingConfig config = run.readConfig();
  const auto latest = run.latestStep();
  if (!latest) throw std::runtime_error(runDir.string() + ": has config.json but no step-<N>.pt checkpoint");
  const auto file = run.checkpointPath(*latest);
  auto network = loadNetworkFile<Network>(file, config.network, key, what, device);
  if (step) *step = *latest;
  if (checkpointFile) *checkpointFile = file.string();
  return network;
}

}  // namespace

Discriminator loadDiscriminator(const std::filesystem::path& runDir, const torch::Device& device, std::int64_t* step,
                                std::string* checkpointFile) {
  return loadLatestNetwork<Discriminator>(runDir, "discriminator", "discriminator", device, step, checkpointFile);
}

Discriminator loadDiscriminatorFile(const std::filesystem::path& file, const NetworkConfig& network,
                                    const torch::Device& device) {
  return loadNetworkFile<Discriminator>(file, network, "discriminator", "discriminator", device);
}

Generator loadGeneratorEma(const std::filesystem::path& runDir, const torch::Device& device, std::int64_t* step) {
  return loadLatestNetwork<Generator>(runDir, "generator_ema", "generator EMA", device, step, nullptr);
}

std::filesystem::path exportInferenceCheckpoint(const std::filesystem::path& runDir,
                                                const std::filesystem::path& outDir, bool half) {
  std::int64_t step = 0;
  Discriminator discriminator = loadDiscriminator(runDir, torch::kCPU, &step);
  Generator generator = loadGeneratorEma(runDir, torch::kCPU);
  const TrainingConfig config = RunDirectory(runDir).readConfig();
  if (half) {
    discriminator->to(torch::kHalf);
    generator->to(torch::kHalf);
  }
  std::filesystem::create_directories(outDir);
  const RunDirectory out(outDir);
  torch::serialize::OutputArchive archive, d, g;
  discriminator->save(d);
  generator->save(g);
  archive.write("discriminator", d);
  archive.write("generator_ema", g);
  archive.write("step", torch::tensor(step, torch::kLong));
  archive.write(kInferenceKey, torch::tensor(std::int64_t{1}, torch::kLong));
  archive.write(kHalfKey, torch::tensor(std::int64_t{half ? 1 : 0}, torch::kLong));
  const auto file = out.checkpointPath(step);
  writeArchive(archive, file);
  out.writeConfig(config);
  out.setLatest(step);
  return file;
}

}  // namespace gandl::model
