// The `convae` embedder plugin: a convolutional autoencoder trained on the screen's own sites
// (unlabelled), its bottleneck as the embedding: the counterpart GAN-DL's paper compares with in
// its zero-shot test. Trains first when no trained model is given, in the application's
// background-task pattern: progress per step, pause and cancel through the task context (a cancel
// writes a checkpoint of the current step), checkpoints written to a temporary name, fsynced and
// renamed, and an exact resume (a batch is a pure function of the seed and the step; the
// checkpoint holds the weights, Adam's state and the step).
//
//   gandl embed --data SCREEN --out F.h5ad --embedder convae [--model RUN] [--seed N]
//               [--param bottleneck=128] [--param input_size=64] [--param steps=2000]
//               [--param batch=32] [--param checkpoint_every=250]
//
// RUN defaults to F.h5ad.convae/ beside the store; an existing RUN is resumed (or, once trained to
// `steps`, used as it is). Images are read with OpenCV, scaled to [0, 1] by bit depth and
// area-resized to input_size. Like every plugin it uses nothing of the application but the
// header-only types of core/pipeline/embedder_plugin.h.
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/pipeline/embedder_plugin.h"
#include "plugins/common/plugin_support.h"

namespace {

namespace fs = std::filesystem;
using gandl::data::Site;
using gandl::pipeline::EmbedderInfo;
using gandl::pipeline::EmbedderSetup;
using gandl::pipeline::PluginEmbedder;
using gandl::pipeline::SiteEmbedder;

constexpr int kStains = 5;

struct Options {
  fs::path run;
  int bottleneck = 128;
  int inputSize = 64;
  int steps = 2000;
  int batch = 32;
  int checkpointEvery = 250;
  std::uint64_t seed = 0;
};

Options parseOptions(const gandl::pipeline::EmbedTaskOptions& task) {
  Options o;
  o.run = task.model.empty() ? fs::path(task.out.string() + ".convae") : task.model;
  o.seed = task.seed;
  for (const auto& [key, value] : task.parameters) {
    if (key == "bottleneck")
      o.bottleneck = gandl::plugins::wholeNumberParam("convae", key, value, 2, 4096);
    else if (key == "input_size")
      o.inputSize = gandl::plugins::wholeNumberParam("convae", key, value, 16, 512);
    else if (key == "steps")
      o.steps = gandl::plugins::wholeNumberParam("convae", key, value, 1, 10000000);
    else if (key == "batch")
      o.batch = gandl::plugins::wholeNumberParam("convae", key, value, 1, 4096);
    else if (key == "checkpoint_every")
      o.checkpointEvery = gandl::plugins::wholeNumberParam("convae", key, value, 1, 10000000);
    else
      throw std::invalid_argument("convae: unknown --param '" + key +
                                  "'; expected bottleneck, input_size, steps, batch or checkpoint_every");
  }
  if (o.inputSize % 16 != 0)
    throw std::invalid_argument("convae: input_size must be a multiple of 16 (four stride-2 layers), got " +
                                std::to_string(o.inputSize));
  return o;
}

// Encoder: four stride-2 3x3 convolutions (5 -> 32 -> 64 -> 128 -> 128) and a linear bottleneck;
// the decoder mirrors it with transposed convolutions and a sigmoid (images are in [0, 1]).
struct AutoencoderImpl : torch::nn::Module {
  AutoencoderImpl(int size, int bottleneck) : side(size / 16) {
    const int channels[] = {kStains, 32, 64, 128, 128};
    for (int i = 0; i < 4; ++i) {
      encoder->push_back(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(channels[i], channels[i + 1], 3).stride(2).padding(1)));
      encoder->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
    }
    for (int i = 4; i > 0; --i) {
      decoder->push_back(torch::nn::ConvTranspose2d(
          torch::nn::ConvTranspose2dOptions(channels[i], i == 1 ? kStains : channels[i - 1], 4).stride(2).padding(1)));
      if (i > 1) decoder->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)));
    }
    toCode = torch::nn::Linear(128 * side * side, bottleneck);
    fromCode = torch::nn::Linear(bottleneck, 128 * side * side);
    register_module("encoder", encoder);
    register_module("decoder", decoder);
    register_module("to_code", toCode);
    register_module("from_code", fromCode);
  }
  torch::Tensor encode(const torch::Tensor& x) { return toCode(encoder->forward(x).flatten(1)); }
  torch::Tensor decode(const torch::Tensor& code) {
    return torch::sigmoid(decoder->forward(fromCode(code).view({-1, 128, side, side})));
  }
  int side;
  torch::nn::Sequential encoder, decoder;
  torch::nn::Linear toCode{nullptr}, fromCode{nullptr};
};
TORCH_MODULE(Autoencoder);

// Written to a temporary name, fsynced, renamed: a crash leaves the old checkpoint or the new one.
void writeAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw std::runtime_error(temporary.string() + ": write failed (disk full?)");
  }
  const int fd = ::open(temporary.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(temporary, path);
}

class ConvAeEmbedder : public SiteEmbedder {
 public:
  explicit ConvAeEmbedder(const EmbedderSetup& setup) : sites_(setup.sites), options_(parseOptions(setup.options)) {
    if (sites_.empty()) throw std::invalid_argument("convae: the screen has no complete site to train on");
    {
      // The initial weights from the seed; the process's random stream is put back afterwards.
      // (Not locked: the module constructors draw under the generator's own mutex.)
      auto generator = at::detail::getDefaultCPUGenerator();
      const auto state = generator.get_state();
      generator.set_current_seed(options_.seed);
      model_ = Autoencoder(options_.inputSize, options_.bottleneck);
      generator.set_state(state);
    }
    optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(1e-3));
    fs::create_directories(options_.run);
    writeConfig();
    // A resumed store must come from the same model: training is exact, so the settings are its
    // identity.
    identity_ = "convae:1:" + fs::absolute(options_.run).lexically_normal().string() +
                ";bottleneck=" + std::to_string(options_.bottleneck) + ";size=" + std::to_string(options_.inputSize) +
                ";steps=" + std::to_string(options_.steps) + ";batch=" + std::to_string(options_.batch) +
                ";seed=" + std::to_string(options_.seed);
  }

  int dimension() const override { return options_.bottleneck; }

  gandl::store::Provenance provenance() const override {
    std::ostringstream what;
    what << "convolutional autoencoder bottleneck (" << options_.bottleneck << "-d, " << options_.inputSize << " px, "
         << options_.steps << " steps of batch " << options_.batch << ")";
    return {{"checkpoint_hash", identity_},
            {"embedding", what.str()},
            {"checkpoint", checkpointPath().string()},
            {"checkpoint_step", static_cast<std::int64_t>(options_.steps)}};
  }

  std::vector<std::string> featureNames() const override {
    std::vector<std::string> names;
    for (int j = 0; j < options_.bottleneck; ++j) names.push_back("convae_" + std::to_string(j));
    return names;
  }

  double embed(const std::vector<std::size_t>& items, const Sink& sink,
               const gandl::tasks::TaskContext& context) override {
    if (!trained_) {  // the first call trains (or resumes, or loads) the autoencoder
      load();
      train(context);
      model_->eval();
      trained_ = true;
    }
    torch::NoGradGuard noGrad;
    constexpr std::size_t kBatch = 32;
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
      context.checkCancelled();
      const std::size_t end = std::min(items.size(), start + kBatch);
      std::vector<torch::Tensor> images;
      for (std::size_t k = start; k < end; ++k)
        images.push_back(gandl::plugins::loadSiteTensor(sites_.at(items[k]), options_.inputSize));
      const auto codes = model_->encode(torch::stack(images)).contiguous();
      sink(std::vector<std::size_t>(items.begin() + static_cast<std::ptrdiff_t>(start),
                                    items.begin() + static_cast<std::ptrdiff_t>(end)),
           std::vector<float>(codes.data_ptr<float>(), codes.data_ptr<float>() + codes.numel()));
      context.report(static_cast<std::int64_t>(end), static_cast<std::int64_t>(items.size()), "sites");
    }
    return 0.0;
  }

 private:
  fs::path checkpointPath() const { return options_.run / "convae.pt"; }

  // The run's settings; a resume with other ones is refused by name.
  void writeConfig() {
    std::ostringstream config;
    config << "bottleneck=" << options_.bottleneck << "\ninput_size=" << options_.inputSize
           << "\nbatch=" << options_.batch << "\nseed=" << options_.seed << "\nsites=" << sites_.size() << "\n";
    const fs::path path = options_.run / "config.txt";
    if (fs::exists(path)) {
      std::ifstream in(path);
      std::stringstream stored;
      stored << in.rdbuf();
      if (stored.str() != config.str())
        throw std::invalid_argument("convae: " + options_.run.string() +
                                    " was trained with other settings (config.txt: " + stored.str() +
                                    "); choose another --model folder or the same settings");
      return;
    }
    writeAtomically(path, config.str());
  }

  void load() {
    if (!fs::exists(checkpointPath())) return;
    torch::serialize::InputArchive archive;
    try {
      archive.load_from(checkpointPath().string());
      model_->load(archive);
      torch::serialize::InputArchive adam;
      archive.read("adam", adam);
      optimizer_->load(adam);
      torch::Tensor step;
      archive.read("step", step);
      step_ = step.item<std::int64_t>();
    } catch (const std::exception& e) {
      throw std::runtime_error("convae: " + checkpointPath().string() + ": cannot be read (" +
                               std::string(e.what()).substr(0, 200) + ")");
    }
  }

  void save() {
    torch::serialize::OutputArchive archive;
    model_->save(archive);
    torch::serialize::OutputArchive adam;
    optimizer_->save(adam);
    archive.write("adam", adam);
    archive.write("step", torch::tensor(static_cast<std::int64_t>(step_)));
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeAtomically(checkpointPath(), bytes.str());
  }

  // Batch `step`'s sites: a pure function of (seed, step), so a resumed run sees the same batches.
  torch::Tensor batchAt(std::int64_t step) const {
    std::mt19937_64 random(options_.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(step));
    std::vector<torch::Tensor> images;
    for (int i = 0; i < options_.batch; ++i)
      images.push_back(gandl::plugins::loadSiteTensor(sites_[random() % sites_.size()], options_.inputSize));
    return torch::stack(images);
  }

  void train(const gandl::tasks::TaskContext& context) {
    model_->train();
    std::ofstream log(options_.run / "losses.csv", std::ios::app);
    while (step_ < options_.steps) {
      try {
        context.checkCancelled();
      } catch (...) {
        save();  // a cancelled run resumes from here
        throw;
      }
      const auto x = batchAt(step_);
      const auto loss = torch::mse_loss(model_->decode(model_->encode(x)), x);
      optimizer_->zero_grad();
      loss.backward();
      optimizer_->step();
      ++step_;
      lastLoss_ = loss.item<double>();
      log << step_ << ',' << lastLoss_ << '\n';
      if (step_ % options_.checkpointEvery == 0 || step_ == options_.steps) save();
      context.report(step_, options_.steps, "steps", "training the autoencoder, loss " + std::to_string(lastLoss_));
    }
  }

  const std::vector<Site>& sites_;
  Options options_;
  Autoencoder model_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::int64_t step_ = 0;
  double lastLoss_ = 0.0;
  std::string identity_;
  bool trained_ = false;
};

void embedders(std::vector<PluginEmbedder>& out) {
  EmbedderInfo info;
  info.name = "convae";
  info.version = "1";
  info.description =
      "a convolutional autoencoder trained on the screen's sites, its bottleneck as the embedding "
      "(--param bottleneck=128 steps=2000; --model RUN to reuse or resume one)";
  info.needs = gandl::pipeline::EmbedderNeeds::Training;
  info.dimension = 0;  // the bottleneck option's
  out.push_back({info, [](const EmbedderSetup& setup) { return std::make_unique<ConvAeEmbedder>(setup); }});
}

}  // namespace

GANDL_EMBEDDER_PLUGIN(embedders)
