#include "core/model/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <unistd.h>

#include <map>
#include <vector>
#include <string>

#include "core/common/atomic_file.h"
#include "core/common/fault_injection.h"
#include "core/common/hash.h"
#include "core/model/global_rng.h"
#include "core/model/run_directory.h"

namespace gandl::model {
namespace {

// A failure that already names the file: passed through the handlers below untouched.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `read` on `file`; any failure of LibTorch's reader (c10::Error, or the std::out_of_range a
// damaged archive can raise) becomes one error that names the file and what was being read.
template <typename Function>
void readNamingFile(const std::filesystem::path& file, const std::string& what, Function&& read) {
  try {
    read();
  } catch (const CheckpointError&) {
    throw;
  } catch (const c10::Error& e) {
    throw CheckpointError(file.string() + ": " + what + " (" + e.what_without_backtrace() + ")");
  } catch (const std::exception& e) {
    throw CheckpointError(file.string() + ": " + what + " (" + e.what() + ")");
  }
}

// Content checksums stored beside each part of an archive ("checksum_<key>"): LibTorch's zip
// reader does not verify the zip's own CRCs, so a flipped bit in a weight would load silently.
// The hash covers every parameter and buffer (name, dtype and bytes, in name order), in the
// precision stored, and for an optimizer every state tensor in parameter order.
void addTensor(common::Fnv1a64& hash, const std::string& name, const torch::Tensor& tensor) {
  hash.add(name);
  if (!tensor.defined()) return;
  const torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
  hash.add(std::string(c10::toString(bytes.scalar_type())));
  hash.add(bytes.data_ptr(), bytes.nbytes());
}

std::int64_t moduleChecksum(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& p : module.named_parameters()) tensors.emplace("p:" + p.key(), p.value());
  for (const auto& b : module.named_buffers()) tensors.emplace("b:" + b.key(), b.value());
  common::Fnv1a64 hash;
  for (const auto& [name, tensor] : tensors) addTensor(hash, name, tensor);
  return static_cast<std::int64_t>(hash.value());
}

std::int64_t optimizerChecksum(torch::optim::Adam& optimizer) {
  common::Fnv1a64 hash;
  std::size_t index = 0;
  for (auto& group : optimizer.param_groups()) {
    for (auto& parameter : group.params()) {
      const std::string name = "s" + std::to_string(index++);
      const auto it = optimizer.state().find(c10::guts::to_string(parameter.unsafeGetTensorImpl()));
      if (it == optimizer.state().end()) {
        hash.add(name + ":none");
        continue;
      }
      const auto& state = static_cast<const torch::optim::AdamParamState&>(*it->second);
      hash.add(static_cast<std::uint64_t>(state.step()));
      addTensor(hash, name + ":m", state.exp_avg());
      addTensor(hash, name + ":v", state.exp_avg_sq());
      addTensor(hash, name + ":vmax", state.max_exp_avg_sq());
    }
  }
  return static_cast<std::int64_t>(hash.value());
}

std::int64_t countersChecksum(const torch::Tensor& step, const torch::Tensor& plMean, const torch::Tensor& rng) {
  common::Fnv1a64 hash;
  addTensor(hash, "step", step);
  addTensor(hash, "pl_mean", plMean);
  addTensor(hash, "rng_cpu", rng);
  return static_cast<std::int64_t>(hash.value());
}

void writeChecksum(torch::serialize::OutputArchive& archive, const std::string& key, std::int64_t checksum) {
  archive.write("checksum_" + key, torch::tensor(checksum, torch::kLong));
}

// Compares a loaded part with the checksum stored with it; archives without one (written before
// checksums) are accepted unverified.
void verifyChecksum(torch::serialize::InputArchive& archive, const std::string& key, std::int64_t actual,
                    const std::filesystem::path& file) {
  torch::Tensor stored;
  if (!archive.try_read("checksum_" + key, stored)) return;
  if (stored.item<std::int64_t>() != actual) {
    throw CheckpointError(file.string() + ": is damaged: its " + key +
                          " does not match the checksum stored with it (the file changed after it was written: a "
                          "disk or copy error); use another checkpoint of the run, or train or export again");
  }
}

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
void loadAsFloat(ModuleHolder& module, torch::serialize::InputArchive& archive, const char* key,
                 const std::filesystem::path& file) {
  if (storesHalf(archive)) module->to(torch::kHalf);
  torch::serialize::InputArchive part;
  archive.read(key, part);
  module->load(part);
  verifyChecksum(archive, key, moduleChecksum(*module), file);
  module->to(torch::kFloat32);
}

// LibTorch's zip writer throws from its destructor when a write fails (a full disk), which ends
// the process (std::terminate). So the archive is serialised into memory, where writing cannot
// fail, and written to disk by AtomicFile: temporary file, fsync, rename, or a clear error and no
// temporary left behind.
void writeArchive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  try {
    if (common::faultPoint("checkpoint-write")) throw std::runtime_error("No space left on device");
    common::writeFileAtomically(file, bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": cannot write the checkpoint (" + e.what() +
                             "); the run keeps its earlier checkpoints: free space and resume");
  }
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
  const torch::Tensor step = torch::tensor(state.step, torch::kLong);
  const torch::Tensor plMean = state.plMean.detach().cpu();
  const torch::Tensor rng = at::detail::getDefaultCPUGenerator().get_state();
  archive.write("step", step);
  archive.write("pl_mean", plMean);
  archive.write("rng_cpu", rng);
  writeChecksum(archive, "generator", moduleChecksum(*state.generator));
  writeChecksum(archive, "discriminator", moduleChecksum(*state.discriminator));
  writeChecksum(archive, "generator_ema", moduleChecksum(*state.generatorEma));
  writeChecksum(archive, "generator_optimizer", optimizerChecksum(*state.generatorOptimizer));
  writeChecksum(archive, "discriminator_optimizer", optimizerChecksum(*state.discriminatorOptimizer));
  writeChecksum(archive, "counters", countersChecksum(step, plMean, rng));
  writeArchive(archive, file);
}

void loadCheckpoint(TrainingState& state, const std::filesystem::path& file) {
  readNamingFile(file, "not a checkpoint of this configuration", [&] {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    if (isInferenceOnly(archive))
      throw CheckpointError(file.string() +
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
    verifyChecksum(archive, "generator", moduleChecksum(*state.generator), file);
    verifyChecksum(archive, "discriminator", moduleChecksum(*state.discriminator), file);
    verifyChecksum(archive, "generator_ema", moduleChecksum(*state.generatorEma), file);
    verifyChecksum(archive, "generator_optimizer", optimizerChecksum(*state.generatorOptimizer), file);
    verifyChecksum(archive, "discriminator_optimizer", optimizerChecksum(*state.discriminatorOptimizer), file);
    verifyChecksum(archive, "counters", countersChecksum(step, plMean, rng), file);
    state.step = step.item<std::int64_t>();
    state.plMean = plMean.to(state.plMean.device());
    auto generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(rng);
  });
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
  readNamingFile(file, std::string("cannot read the ") + what, [&] {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    loadAsFloat(network, archive, key, file);
  });
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

namespace {

// What an export may replace: nothing, or (with `overwrite`) an earlier export. Returns the
// checkpoints of that earlier export, to remove once the new one is in place.
std::vector<std::filesystem::path> replaceableExport(const std::filesystem::path& outDir, bool overwrite) {
  std::vector<std::filesystem::path> old;
  std::error_code error;
  if (!std::filesystem::exists(outDir, error)) return old;
  if (!std::filesystem::is_directory(outDir, error))
    throw std::runtime_error(outDir.string() + ": exists and is not a folder; --out must be a new or empty folder");
  std::string other;
  for (const auto& entry : std::filesystem::directory_iterator(outDir)) {
    const std::string name = entry.path().filename().string();
    if (name == "config.json" || name == "latest" || name == ".lock") continue;
    const bool checkpoint = name.rfind("step-", 0) == 0 && entry.path().extension() == ".pt";
    if (!checkpoint) {
      other = name;
      continue;
    }
    torch::serialize::InputArchive archive;
    bool inference = false;
    try {
      archive.load_from(entry.path().string());
      inference = isInferenceOnly(archive);
    } catch (const std::exception&) {
      inference = false;
    }
    if (!inference)
      throw std::runtime_error(outDir.string() + ": holds the training checkpoint " + name +
                               " of another run, which an export would destroy; choose a new or empty folder");
    old.push_back(entry.path());
  }
  if (!other.empty())
    throw std::runtime_error(outDir.string() + ": holds " + other +
                             ", so it is not an export of a model; --out must be a new or empty folder");
  if (!old.empty() && !overwrite)
    throw std::runtime_error(outDir.string() +
                             ": already holds an exported model; pass --overwrite to replace it, "
                             "or choose a new or empty folder");
  return old;
}

}  // namespace

std::filesystem::path exportInferenceCheckpoint(const std::filesystem::path& runDir,
                                                const std::filesystem::path& outDir, bool half, bool overwrite) {
  const auto previous = replaceableExport(outDir, overwrite);
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
  writeChecksum(archive, "discriminator", moduleChecksum(*discriminator));
  writeChecksum(archive, "generator_ema", moduleChecksum(*generator));
  archive.write("step", torch::tensor(step, torch::kLong));
  archive.write(kInferenceKey, torch::tensor(std::int64_t{1}, torch::kLong));
  archive.write(kHalfKey, torch::tensor(std::int64_t{half ? 1 : 0}, torch::kLong));
  const auto file = out.checkpointPath(step);
  writeArchive(archive, file);
  out.writeConfig(config);
  out.setLatest(step);
  for (const auto& old : previous) {
    std::error_code ignored;
    if (old != file) std::filesystem::remove(old, ignored);
  }
  return file;
}

}  // namespace gandl::model
