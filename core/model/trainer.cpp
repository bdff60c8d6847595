#include "core/model/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/common/file_lock.h"
#include "core/model/augment.h"
#include "core/model/checkpoint.h"
#include "core/model/collective.h"
#include "core/model/gan_losses.h"
#include "core/model/global_rng.h"
#include "core/model/host_memory.h"
#include "core/model/run_directory.h"
#include "core/model/sample_draws.h"

namespace gandl::model {
namespace {

using Clock = std::chrono::steady_clock;

void setRequiresGrad(torch::nn::Module& module, bool requires) {
  for (auto& p : module.parameters()) p.set_requires_grad(requires);
}

torch::Tensor toDevice(const common::HostBatch& batch, const torch::Device& device) {
  auto cpu = torch::from_blob(const_cast<float*>(batch.pixels.data()),
                              {batch.count, batch.channels, batch.height, batch.width}, torch::kFloat32);
  return cpu.to(device, /*non_blocking=*/false, /*copy=*/true);
}

// Per-channel mean and std over a batch: how generated images compare with real ones.
nlohmann::json channelStats(const torch::Tensor& images) {
  const auto x = images.detach().to(torch::kCPU).transpose(0, 1).flatten(1);
  const auto mean = x.mean(1), stdev = x.std(1);
  std::vector<double> m, s;
  for (int64_t c = 0; c < x.size(0); ++c) {
    m.push_back(mean[c].item<double>());
    s.push_back(stdev[c].item<double>());
  }
  return {{"mean", m}, {"std", s}};
}

// Mixed precision for one forward pass (TrainingConfig::precision "bf16"): autocast to bfloat16
// on the device's autocast key while in scope, the previous state restored after, and the cast
// weights dropped when the outermost scope closes (they change with every optimizer step).
class Bf16Autocast {
 public:
  Bf16Autocast(bool on, const torch::Device& device) : on_(on), cuda_(device.is_cuda()) {
    if (!on_) return;
    if (cuda_) {
      wasOn_ = at::autocast::is_enabled();
      wasType_ = at::autocast::get_autocast_gpu_dtype();
      at::autocast::set_enabled(true);
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    } else {
      wasOn_ = at::autocast::is_cpu_enabled();
      wasType_ = at::autocast::get_autocast_cpu_dtype();
      at::autocast::set_cpu_enabled(true);
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    }
    at::autocast::increment_nesting();
  }
  ~Bf16Autocast() {
    if (!on_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (cuda_) {
      at::autocast::set_enabled(wasOn_);
      at::autocast::set_autocast_gpu_dtype(wasType_);
    } else {
      at::autocast::set_cpu_enabled(wasOn_);
      at::autocast::set_autocast_cpu_dtype(wasType_);
    }
  }
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool on_, cuda_;
  bool wasOn_ = false;
  at::ScalarType wasType_ = at::kBFloat16;
};

// ws for a batch, with style mixing as ada's StyleGAN2Loss.run_G does it, draw for draw (the
// trainer-parity test replays ada's step with the same generator): when mixing is on, one cutoff
// per batch in [1, num_ws), a coin against the probability, and the second latents, drawn
// whether or not the coin mixes; mixing off draws nothing. With keyed draws active, each image's
// latents come from its own stream and the cutoff and coin from the batch-wide one.
torch::Tensor mappedStyles(GeneratorImpl& g, int64_t n, double mixing, const torch::Device& device) {
  SampleDraws* keyed = activeSampleDraws();
  TORCH_CHECK(!keyed || keyed->count() == n, "keyed draws for ", keyed ? keyed->count() : 0, " images, asked ", n);
  const auto latents = [&] {
    return (keyed ? keyed->randn({g.config.z_dim}) : torch::randn({n, g.config.z_dim})).to(device);
  };
  const auto z = latents();
  auto ws = g.mapping->forward(z);
  if (mixing <= 0) return ws;
  const int64_t numWs = ws.size(1);
  int64_t cutoff =
      (keyed ? torch::randint(1, numWs, {1}, keyed->shared()) : torch::randint(1, numWs, {1})).item<int64_t>();
  if ((keyed ? torch::rand({1}, keyed->shared()) : torch::rand({1})).item<double>() >= mixing) cutoff = numWs;
  MappingCall noUpdate;
  noUpdate.update_w_avg = false;
  const auto z2 = latents();
  if (cutoff == numWs) return ws;
  const auto ws2 = g.mapping->forward(z2, noUpdate);
  return torch::cat({ws.narrow(1, 0, cutoff), ws2.narrow(1, cutoff, numWs - cutoff)}, 1);
}

// imagesSeen: before this step's batch, as ada's training loop counts (the first update copies G).
void updateEma(TrainingState& s, std::int64_t imagesSeen) {
  const auto& c = s.config;
  double emaImages = c.emaKimg() * 1000.0;
  if (c.ema_rampup > 0) emaImages = std::min(emaImages, imagesSeen * c.ema_rampup);
  const double beta = std::pow(0.5, c.batch / std::max(emaImages, 1e-8));
  torch::NoGradGuard noGrad;
  const auto params = s.generator->named_parameters();
  for (auto& p : s.generatorEma->named_parameters()) p.value().copy_(params[p.key()].detach().lerp(p.value(), beta));
  const auto buffers = s.generator->named_buffers();
  for (auto& b : s.generatorEma->named_buffers()) b.value().copy_(buffers[b.key()]);
}

common::HostBatch toHost(const torch::Tensor& images, std::int64_t step) {
  const auto cpu = images.detach().to(torch::kCPU).contiguous();
  common::HostBatch batch;
  batch.index = step;
  batch.count = static_cast<int>(cpu.size(0));
  batch.channels = static_cast<int>(cpu.size(1));
  batch.height = static_cast<int>(cpu.size(2));
  batch.width = static_cast<int>(cpu.size(3));
  batch.pixels.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
  return batch;
}

// Sums of the values logged between two metric lines.
struct Window {
  double lossG = 0, lossD = 0, realLogit = 0, fakeLogit = 0, r1 = 0, pl = 0, contrastive = 0;
  int steps = 0, r1Steps = 0, plSteps = 0;
  Clock::time_point start = Clock::now();
  double waitAtStart = 0;
  double pausedAtStart = 0;  // the task's paused seconds when the window opened (not counted)
};

// The four phases of one training step, in the reference's order (ada's StyleGAN2Loss phases
// Gmain, Greg, Dmain, Dreg), each with its own backward pass and optimizer step. A phase whose
// loss is not finite is undone (no optimizer step) and counted; too many in a row stop training.
class StepPhases {
 public:
  // members / plMembers: this process's positions in the global batch and in the path-length
  // batch; collective: the other ranks (nullptr for one process).
  StepPhases(TrainingState& state, const torch::Device& device, Window& window, TrainingResult& result,
             std::vector<int> members, std::vector<int> plMembers, Collective* collective)
      : state_(state),
        config_(state.config),
        device_(device),
        window_(window),
        result_(result),
        shift_(config_.augment ? config_.augmentShift() : 0),
        logistic_(config_.loss == GanLoss::Logistic),
        r1Gamma_(config_.r1Gamma()),
        keyed_(config_.draws == "keyed"),
        bf16_(config_.precision == "bf16"),
        members_(std::move(members)),
        plMembers_(std::move(plMembers)),
        collective_(collective) {}

  // One step on `reals`; false when a main phase was undone. `pairs`: the contrastive term's
  // positive pairs (rows 2j and 2j + 1 two views of one site), undefined when it pairs two
  // augmentations of each real instead or is off.
  bool run(const torch::Tensor& reals, const torch::Tensor& pairs = {}) {
    auto& G = *state_.generator;
    auto& D = *state_.discriminator;
    setRequiresGrad(D, false);
    setRequiresGrad(G, true);
    bool ok = generatorMain();
    if (config_.pl_weight > 0 && state_.step % config_.pl_interval == 0) generatorPathLength();
    setRequiresGrad(G, false);
    setRequiresGrad(D, true);
    ok = discriminatorMain(reals, pairs) && ok;
    if (logistic_ && r1Gamma_ > 0 && state_.step % config_.r1_interval == 0) discriminatorR1(reals);
    setRequiresGrad(G, true);
    if (ok) consecutiveBad_ = 0;
    return ok;
  }

 private:
  torch::Tensor augment(const torch::Tensor& x) const { return config_.augment ? augmentGeometric(x, shift_) : x; }

  // The networks' forward passes, in the run's precision; what they return is float32, so every
  // loss, penalty and reduction is taken in float32.
  torch::Tensor synthesize(const torch::Tensor& ws) const {
    const Bf16Autocast scope(bf16_, device_);
    return state_.generator->synthesis->forward(ws).to(torch::kFloat32);
  }
  torch::Tensor discriminate(const torch::Tensor& images) const {
    const Bf16Autocast scope(bf16_, device_);
    return state_.discriminator->forward(images).to(torch::kFloat32);
  }
  torch::Tensor embed(const torch::Tensor& images) const {
    const Bf16Autocast scope(bf16_, device_);
    return state_.discriminator->embed(images).to(torch::kFloat32);
  }

  // Phases: 1 G main, 2 G path length, 3 D main, 4 D R1; each keyed phase has its own streams.
  std::optional<SampleDraws> phaseDraws(std::uint64_t phase, const std::vector<int>& members) const {
    if (!keyed_) return std::nullopt;
    return SampleDraws(config_.seed, state_.step, phase, members);
  }

  // With several ranks, the gradients of `optimizer`'s parameters and the `values` become their
  // means over the ranks, in one all-reduce; each rank's loss is a mean over its images, so the
  // mean of the ranks' gradients is the gradient of the global batch's loss.
  void averageOverRanks(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& values) {
    if (!collective_) return;
    std::vector<torch::Tensor> tensors;
    for (auto& group : optimizer.param_groups())
      for (auto& p : group.params())
        if (p.grad().defined()) tensors.push_back(p.mutable_grad());
    tensors.insert(tensors.end(), values.begin(), values.end());
    collective_->average(tensors);
  }

  bool finiteOrSkip(const torch::Tensor& loss, torch::optim::Optimizer& optimizer) {
    if (std::isfinite(loss.item<double>())) return true;
    optimizer.zero_grad();
    ++result_.bad_steps;
    if (++consecutiveBad_ >= config_.max_bad_steps) {
      throw std::runtime_error("training diverged: " + std::to_string(consecutiveBad_) +
                               " consecutive non-finite losses at step " + std::to_string(state_.step) +
                               "; lower the learning rate or raise the batch, and resume from the "
                               "last checkpoint");
    }
    return false;
  }

  // G main: make D call the fakes real.
  bool generatorMain() {
    auto& G = *state_.generator;
    auto draws = phaseDraws(1, members_);
    std::optional<UseSampleDraws> use;
    if (draws) use.emplace(*draws);
    const auto ws = mappedStyles(G, localBatch(), config_.style_mixing, device_);
    const auto fakeLogits = discriminate(augment(synthesize(ws)));
    const auto loss = logistic_ ? generatorLogisticLoss(fakeLogits) : generatorWassersteinLoss(fakeLogits);
    state_.generatorOptimizer->zero_grad();
    loss.backward();
    const auto value = loss.detach().clone();
    averageOverRanks(*state_.generatorOptimizer, {value});
    if (!finiteOrSkip(value, *state_.generatorOptimizer)) return false;
    state_.generatorOptimizer->step();
    window_.lossG += value.item<double>();
    return true;
  }

  // G regularisation: lazy path-length penalty.
  void generatorPathLength() {
    auto& G = *state_.generator;
    auto draws = phaseDraws(2, plMembers_);
    std::optional<UseSampleDraws> use;
    if (draws) use.emplace(*draws);
    const int64_t n = keyed_ ? static_cast<int64_t>(plMembers_.size())
                             : std::max<int64_t>(1, config_.batch / config_.pl_batch_shrink);
    auto ws = mappedStyles(G, n, config_.style_mixing, device_);
    const auto images = synthesize(ws);
    const auto lengths = pathLengths(images, ws);
    // As ada: the penalty uses the updated mean before detaching it, so the batch's own mean is
    // part of the graph (weight pl_decay). Over several ranks the mean's value is the global
    // batch's and its gradient flows through this rank's images only (ada keeps a mean per rank).
    auto batchMean = lengths.mean();
    if (collective_) {
      const auto global = batchMean.detach().clone();
      collective_->average({global});
      batchMean = batchMean + (global - batchMean.detach());
    }
    const auto plMean = state_.plMean.lerp(batchMean, config_.pl_decay);
    {
      torch::NoGradGuard noGrad;
      state_.plMean.copy_(plMean.detach());
    }
    const auto penalty = (lengths - plMean).square().mean() * config_.pl_weight;
    const auto loss = penalty * config_.pl_interval + images.flatten().narrow(0, 0, 1).sum() * 0;
    state_.generatorOptimizer->zero_grad();
    loss.backward();
    const auto value = loss.detach().clone(), penaltyValue = penalty.detach().clone();
    averageOverRanks(*state_.generatorOptimizer, {value, penaltyValue});
    if (!finiteOrSkip(value, *state_.generatorOptimizer)) return;
    state_.generatorOptimizer->step();
    window_.pl += penaltyValue.item<double>();
    ++window_.plSteps;
  }

  // D main: tell reals from fakes (WGAN-GP adds its gradient penalty here).
  bool discriminatorMain(const torch::Tensor& reals, const torch::Tensor& pairs) {
    auto draws = phaseDraws(3, members_);
    std::optional<UseSampleDraws> use;
    if (draws) use.emplace(*draws);
    torch::Tensor fakes;
    {
      torch::NoGradGuard noGrad;
      const auto ws = mappedStyles(*state_.generator, localBatch(), config_.style_mixing, device_);
      fakes = synthesize(ws);
    }
    // Fakes first, then reals: ada's order, so the augmentation draws line up.
    const auto fakeLogits = discriminate(augment(fakes));
    const auto realAug = augment(reals);
    const auto realLogits = discriminate(realAug);
    torch::Tensor loss = logistic_ ? discriminatorLogisticLoss(realLogits, fakeLogits)
                                   : discriminatorWassersteinLoss(realLogits, fakeLogits, config_.wgan_epsilon);
    if (!logistic_) {
      const auto alpha = (draws ? draws->rand({1, 1, 1}) : torch::rand({reals.size(0), 1, 1, 1})).to(device_);
      const auto mixed = (realAug.detach() + alpha * (fakes - realAug.detach())).requires_grad_(true);
      loss = loss + gradientPenalty(discriminate(mixed), mixed, config_.gp_lambda);
    }
    torch::Tensor contrastive;
    if (config_.contrastive_weight > 0) {  // its augmentations are drawn after ada's draws
      if (pairs.defined()) {
        const auto views = embed(augment(pairs));
        const int64_t n = views.size(0);
        contrastive =
            contrastiveLoss(views.slice(0, 0, n, 2), views.slice(0, 1, n, 2), config_.contrastive_temperature);
      } else {
        contrastive = contrastiveLoss(embed(realAug), embed(augment(reals)), config_.contrastive_temperature);
      }
      loss = loss + contrastive * config_.contrastive_weight;
    }
    state_.discriminatorOptimizer->zero_grad();
    loss.backward();
    const auto value = loss.detach().clone();
    const auto realMean = realLogits.detach().mean(), fakeMean = fakeLogits.detach().mean();
    averageOverRanks(*state_.discriminatorOptimizer, {value, realMean, fakeMean});
    if (!finiteOrSkip(value, *state_.discriminatorOptimizer)) return false;
    state_.discriminatorOptimizer->step();
    window_.lossD += value.item<double>();
    window_.realLogit += realMean.item<double>();
    window_.fakeLogit += fakeMean.item<double>();
    if (contrastive.defined()) window_.contrastive += contrastive.item<double>();
    return true;
  }

  // D regularisation: lazy R1. D sees augmented reals; the gradient is taken with respect to the
  // reals before augmentation, as ada does (the augmentation is part of D's function).
  void discriminatorR1(const torch::Tensor& reals) {
    auto draws = phaseDraws(4, members_);
    std::optional<UseSampleDraws> use;
    if (draws) use.emplace(*draws);
    const auto realIn = reals.detach().requires_grad_(true);
    const auto& network = state_.discriminator->config;
    const auto scale = network.normalizesInput() ? torch::tensor(network.input_scale, torch::kDouble) : torch::Tensor();
    const auto penalty = r1Penalty(discriminate(augment(realIn)), realIn, r1Gamma_, scale);
    const auto loss = penalty * config_.r1_interval;
    state_.discriminatorOptimizer->zero_grad();
    loss.backward();
    const auto value = loss.detach().clone(), penaltyValue = penalty.detach().clone();
    averageOverRanks(*state_.discriminatorOptimizer, {value, penaltyValue});
    if (!finiteOrSkip(value, *state_.discriminatorOptimizer)) return;
    state_.discriminatorOptimizer->step();
    window_.r1 += penaltyValue.item<double>();
    ++window_.r1Steps;
  }

  TrainingState& state_;
  const TrainingConfig& config_;
  torch::Device device_;
  Window& window_;
  TrainingResult& result_;
  int64_t localBatch() const { return static_cast<int64_t>(members_.size()); }

  int shift_;
  bool logistic_;
  double r1Gamma_;
  bool keyed_;
  bool bf16_;
  std::vector<int> members_, plMembers_;
  Collective* collective_;
  std::int64_t consecutiveBad_ = 0;
};

}  // namespace

TrainingResult train(const TrainingConfig& requested, const std::filesystem::path& runDir, common::ImageSource& source,
                     const std::string& deviceName, bool resume, const tasks::TaskContext& context,
                     const TrainingCallbacks& callbacks, const World& world) {
  const auto wallStart = Clock::now();
  const RunDirectory run(runDir);
  const bool writer = world.rank == 0;  // rank 0 alone writes the run folder
  if (writer) std::filesystem::create_directories(runDir);
  // One training per run folder at a time, whatever process runs it (a job's rank 0 holds it).
  std::optional<common::FileLock> runLock;
  if (writer) runLock.emplace(runDir / ".lock", "the run folder " + runDir.string());
  TrainingConfig config = requested;
  std::optional<std::int64_t> startStep;
  if (resume) {
    startStep = run.latestStep();
    if (!startStep) throw std::runtime_error(runDir.string() + ": nothing to resume (no step-<N>.pt checkpoint)");
    config = run.resumeConfig(requested);
    if (config.steps <= *startStep)
      throw std::runtime_error(runDir.string() + ": steps " + std::to_string(config.steps) +
                               " is not beyond the latest checkpoint (step " + std::to_string(*startStep) +
                               "); ask for more steps to resume");
  } else {
    if (run.latestStep())
      throw std::runtime_error(runDir.string() +
                               ": already holds checkpoints; pass --resume to continue it, or choose "
                               "another run folder");
    config.validate();
  }
  if (world.distributed() && config.contrastive_weight > 0)
    throw std::runtime_error(
        "the contrastive term takes its negatives from one process's batch; train with it on one "
        "process (or --contrastive 0)");
  if (world.distributed() && config.draws != "keyed")
    throw std::runtime_error(resume ? runDir.string() +
                                          " draws its random numbers from one stream (draws: stream), which only one "
                                          "process can continue; resume it with one process, or start a new run with "
                                          "--draws keyed to train on several ranks"
                                    : "training on " + std::to_string(world.size) +
                                          " ranks needs per-image draws (--draws keyed)");
  const std::vector<int> members = config.draws == "keyed"
                                       ? rankMembers(config.batch, config.network.mbstd_group, world.rank, world.size)
                                       : rankMembers(config.batch, 1, 0, 1);
  std::vector<int> plMembers;
  if (config.draws == "keyed") {
    const int plBatch = std::max(1, config.batch / config.pl_batch_shrink);
    if (config.pl_weight > 0 && plBatch % world.size != 0)
      throw std::runtime_error("the path-length batch (" + std::to_string(plBatch) + " = batch / pl_batch_shrink) " +
                               "cannot be split over " + std::to_string(world.size) + " ranks");
    for (int i = world.rank * plBatch / world.size; i < (world.rank + 1) * plBatch / world.size; ++i)
      plMembers.push_back(i);
  }
  if (source.resolution() != config.network.resolution || source.channels() != config.network.image_channels)
    throw std::runtime_error("the images are " + std::to_string(source.channels()) + " x " +
                             std::to_string(source.resolution()) + " px but the network expects " +
                             std::to_string(config.network.image_channels) + " x " +
                             std::to_string(config.network.resolution) + " px");

  const torch::Device device(deviceName);
  useCachingHostAllocator();  // large activations reused between steps, not faulted in again
  // The cache is for the steps; a GUI that trained once does not keep gigabytes cached after.
  struct ReleaseCache {
    ~ReleaseCache() { releaseCachedHostMemory(); }
  } releaseCache;
  // Training owns the global generator's stream while it seeds, builds, restores and steps
  // (global_rng.h); others wait for the current step and leave the stream as they found it.
  GlobalRngLock rngLock = lockGlobalRng();
  torch::manual_seed(config.seed);
  TrainingState state(config);
  state.to(device);
  if (startStep) {
    loadCheckpoint(state, run.checkpointPath(*startStep));
    if (writer) run.truncateMetrics(state.step);
  }
  if (writer) run.writeConfig(config);  // a resumed run may have raised `steps`
  // The other ranks: met once, then every step's gradients are averaged over them. Every rank
  // starts from rank 0's weights (the same seed or checkpoint gives the same ones; this makes sure).
  std::unique_ptr<Collective> collective;
  if (world.distributed()) {
    collective = std::make_unique<Collective>(world);
    std::vector<torch::Tensor> shared;
    for (torch::nn::Module* module : {static_cast<torch::nn::Module*>(state.generator.get()),
                                      static_cast<torch::nn::Module*>(state.discriminator.get()),
                                      static_cast<torch::nn::Module*>(state.generatorEma.get())}) {
      for (auto& p : module->parameters()) shared.push_back(p);
      for (auto& b : module->buffers()) shared.push_back(b);
    }
    shared.push_back(state.plMean);
    collective->broadcastFromRankZero(shared);
  }

  // Fixed latents for the sample grids: their own generator, untouched by training's draws.
  const auto sampleLatents =
      torch::randn({config.sample_count, config.network.z_dim}, at::detail::createCPUGenerator(config.seed + 0x5A5A))
          .to(device);

  const int64_t batch = config.batch;
  // One process loads whole batches (its members are every position, in order).
  auto stream = source.trainingBatches(static_cast<int>(batch), config.seed, state.step,
                                       world.distributed() ? members : std::vector<int>{});
  // The contrastive term's pairs of sites: a stream of their own, keyed by step like the batches.
  std::unique_ptr<common::BatchStream> pairStream;
  if (config.contrastive_weight > 0 && config.contrastive_pairs == "site")
    pairStream = source.pairedBatches(static_cast<int>(std::max<int64_t>(2, batch / 2)), config.seed ^ 0xC0417A57ull,
                                      state.step);
  TrainingResult result;
  Window window;
  StepPhases phases(state, device, window, result, members, plMembers, collective.get());
  // The generator's running buffers (the mapping's w_avg) are updated from each rank's images;
  // their mean over the ranks is what one process computes (each update is affine in the batch
  // mean, and the ranks' images are equally many).
  std::vector<torch::Tensor> generatorBuffers;
  for (auto& b : state.generator->buffers()) generatorBuffers.push_back(b);

  auto writeCheckpoint = [&] {
    const auto lock = lockGlobalRng();  // the checkpoint holds the stream's state
    saveCheckpoint(state, run.checkpointPath(state.step));
    run.setLatest(state.step);
    run.pruneCheckpoints(config.keep_checkpoints);
    if (callbacks.checkpoint) callbacks.checkpoint(state.step, run.checkpointPath(state.step));
  };
  auto emitSamples = [&] {
    if (!callbacks.samples || !writer) return;
    const auto images = state.generatorEma->sample(sampleLatents, 1.0, NoiseMode::Const);
    callbacks.samples(state.step, toHost(images, state.step));
  };
  rngLock.unlock();
  context.report(state.step, config.steps, "steps", startStep ? "resumed" : "started");
  try {
    while (state.step < config.steps) {
      if (collective) {
        // Every rank stops at the same step when any is cancelled (Ctrl-C reaches them all).
        bool cancelled = false;
        try {
          context.checkCancelled();
        } catch (const tasks::Cancelled&) {
          cancelled = true;
        }
        if (collective->any(cancelled)) throw tasks::Cancelled();
      } else {
        context.checkCancelled();
      }
      auto host = stream->next();
      if (!host) throw std::runtime_error("the image source ran dry");
      const auto stepLock = lockGlobalRng();
      const auto reals = toDevice(*host, device);
      torch::Tensor pairs;
      if (pairStream) {
        auto pairHost = pairStream->next();
        if (!pairHost) throw std::runtime_error("the image source ran dry");
        pairs = toDevice(*pairHost, device);
      }
      phases.run(reals, pairs);
      if (collective) collective->average(generatorBuffers);

      updateEma(state, state.step * batch);
      ++state.step;
      ++window.steps;

      const bool last = state.step == config.steps;
      // The first step is logged too, so a plot of the losses starts at once, not log_every steps
      // (minutes on a CPU) later.
      if (state.step % config.log_every == 0 || last || state.step == 1) {
        const double seconds = std::chrono::duration<double>(Clock::now() - window.start).count() -
                               (context.pausedSeconds() - window.pausedAtStart);
        const double images = static_cast<double>(window.steps * batch);
        const int n = std::max(1, window.steps);
        nlohmann::json metrics = {{"step", state.step},
                                  {"kimg", state.step * batch / 1000.0},
                                  {"loss_g", window.lossG / n},
                                  {"loss_d", window.lossD / n},
                                  {"d_real", window.realLogit / n},
                                  {"d_fake", window.fakeLogit / n},
                                  {"r1_penalty", window.r1Steps ? window.r1 / window.r1Steps : 0.0},
                                  {"pl_penalty", window.plSteps ? window.pl / window.plSteps : 0.0},
                                  {"img_per_s", images / std::max(seconds, 1e-9)},
                                  {"data_wait_s", stream->waitedSeconds() - window.waitAtStart},
                                  {"bad_steps", result.bad_steps}};
        if (world.distributed()) metrics["ranks"] = world.size;
        if (config.contrastive_weight > 0) metrics["contrastive_loss"] = window.contrastive / n;
        {
          torch::NoGradGuard noGrad;
          metrics["real_channels"] = channelStats(reals);
          metrics["fake_channels"] = channelStats(state.generatorEma->sample(sampleLatents, 1.0, NoiseMode::Const));
        }
        if (writer) run.appendMetrics(metrics.dump());
        if (callbacks.metrics && writer) callbacks.metrics(metrics);
        char line[160];
        std::snprintf(line, sizeof line, "loss G %.3f D %.3f, %.1f img/s", window.lossG / n, window.lossD / n,
                      images / std::max(seconds, 1e-9));
        context.report(state.step, config.steps, "steps", line);
        window = Window{};
        window.waitAtStart = stream->waitedSeconds();
        window.pausedAtStart = context.pausedSeconds();
      }
      if (state.step % config.sample_every == 0 || last) emitSamples();
      if (writer && (state.step % config.checkpoint_every == 0 || last)) writeCheckpoint();
    }
    result.finished = true;
  } catch (const tasks::Cancelled&) {
    // Keep the work done so far: a checkpoint of this exact step, then report the cancel.
    if (writer && state.step > 0 && run.latestStep() != state.step) writeCheckpoint();
    throw;
  }
  result.step = state.step;
  result.seconds = std::chrono::duration<double>(Clock::now() - wallStart).count();
  result.data_wait_seconds = stream->waitedSeconds();
  return result;
}

}  // namespace gandl::model
