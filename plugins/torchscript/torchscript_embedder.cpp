// The `torchscript` embedder plugin: any TorchScript image model (an ImageNet CNN exported by the
// user, docs/plugins.md) as a feature extractor for five-stain sites, with the two strategies of
// GAN-DL's paper for putting five stains through an RGB network:
//
//   concatenated  each stain replicated to three channels, one forward pass per stain, the five
//                 pooled feature vectors concatenated (5 x D);
//   collapsed     a 5->3 1x1 convolution in front of the frozen network, trained on the controls'
//                 C+ / C- labels through a logistic head, then the pooled features (D).
//
// The network's output is averaged over space when it is a feature map ([N, D, H, W]) and taken
// as it is when it is a vector ([N, D]). Images are read with OpenCV, scaled to [0, 1] by their bit
// depth, area-resized to input_size and normalised with ImageNet's mean and sd (normalize=none
// leaves them in [0, 1]). Like every plugin it uses nothing of the application but the
// header-only types of core/pipeline/embedder_plugin.h.
#include <torch/script.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/pipeline/embedder_plugin.h"
#include "plugins/common/plugin_support.h"

namespace {

using gandl::data::Role;
using gandl::data::Site;
using gandl::pipeline::EmbedderInfo;
using gandl::pipeline::EmbedderSetup;
using gandl::pipeline::PluginEmbedder;
using gandl::pipeline::SiteEmbedder;

constexpr int kStains = 5;
constexpr int kBatch = 16;

struct Options {
  std::filesystem::path model;
  std::string strategy = "concatenated";
  int inputSize = 224;
  bool imagenet = true;
  int epochs = 10;
  int controlSites = 256;  // per class, at most, for the collapsed strategy's training
  std::uint64_t seed = 0;
};

Options parseOptions(const gandl::pipeline::EmbedTaskOptions& task) {
  Options o;
  o.model = task.model;
  // The workbench's embed dialog passes the model it asks for as the checkpoint.
  if (o.model.empty() && task.checkpoint != "demo" && std::filesystem::is_regular_file(task.checkpoint))
    o.model = task.checkpoint;
  if (o.model.empty())
    throw std::invalid_argument(
        "torchscript: --model FILE.pt is required (a TorchScript image model; docs/plugins.md)");
  if (!std::filesystem::is_regular_file(o.model))
    throw std::invalid_argument("torchscript: " + o.model.string() + ": no such file");
  if (!task.strategy.empty()) o.strategy = task.strategy;
  if (o.strategy != "concatenated" && o.strategy != "collapsed")
    throw std::invalid_argument("torchscript: --strategy must be concatenated or collapsed, got '" + o.strategy + "'");
  o.seed = task.seed;
  for (const auto& [key, value] : task.parameters) {
    if (key == "input_size") {
      o.inputSize = gandl::plugins::wholeNumberParam("torchscript", key, value, 16, 1024);
    } else if (key == "normalize") {
      if (value != "imagenet" && value != "none")
        throw std::invalid_argument("torchscript: normalize must be imagenet or none, got '" + value + "'");
      o.imagenet = value == "imagenet";
    } else if (key == "epochs") {
      o.epochs = gandl::plugins::wholeNumberParam("torchscript", key, value, 1, 1000);
    } else if (key == "control_sites") {
      o.controlSites = gandl::plugins::wholeNumberParam("torchscript", key, value, 2, 1000000);
    } else {
      throw std::invalid_argument("torchscript: unknown --param '" + key +
                                  "'; expected input_size, normalize, epochs or control_sites");
    }
  }
  return o;
}

std::string fileDigest(const std::filesystem::path& file) {
  // FNV-1a 64 of the bytes: tells model files apart in the store's identity.
  std::ifstream in(file, std::ios::binary);
  std::uint64_t hash = 1469598103934665603ull;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash ^= static_cast<unsigned char>(buffer[i]);
      hash *= 1099511628211ull;
    }
  }
  std::ostringstream out;
  out << std::hex << hash;
  return out.str();
}

class TorchScriptEmbedder : public SiteEmbedder {
 public:
  explicit TorchScriptEmbedder(const EmbedderSetup& setup)
      : sites_(setup.sites), options_(parseOptions(setup.options)) {
    try {
      module_ = torch::jit::load(options_.model.string(), torch::kCPU);
    } catch (const std::exception& e) {
      throw std::runtime_error("torchscript: " + options_.model.string() + ": not a TorchScript model (" +
                               std::string(e.what()).substr(0, 300) + ")");
    }
    module_.eval();
    for (auto parameter : module_.parameters()) parameter.set_requires_grad(false);
    digest_ = fileDigest(options_.model);
    {
      torch::NoGradGuard noGrad;
      featureDim_ = static_cast<int>(features(torch::zeros({1, 3, options_.inputSize, options_.inputSize})).size(1));
    }
    if (options_.strategy == "collapsed") trainCollapse(setup);
  }

  int dimension() const override { return options_.strategy == "collapsed" ? featureDim_ : kStains * featureDim_; }

  gandl::store::Provenance provenance() const override {
    std::string identity = "torchscript:1:" + digest_ + ";strategy=" + options_.strategy +
                           ";size=" + std::to_string(options_.inputSize) +
                           ";normalize=" + (options_.imagenet ? "imagenet" : "none");
    if (options_.strategy == "collapsed")
      identity += ";epochs=" + std::to_string(options_.epochs) + ";controls=" + std::to_string(options_.controlSites) +
                  ";seed=" + std::to_string(options_.seed);
    std::ostringstream what;
    what << "TorchScript model " << options_.model.filename().string() << " (" << options_.strategy << ", "
         << options_.inputSize << " px" << (options_.imagenet ? ", ImageNet normalisation" : "") << ")";
    gandl::store::Provenance p{{"checkpoint_hash", identity},
                               {"embedding", what.str()},
                               {"checkpoint", options_.model.string()},
                               {"strategy", options_.strategy}};
    if (options_.strategy == "collapsed") {
      std::ostringstream weights;
      const auto w = collapse_.contiguous();
      for (int64_t i = 0; i < w.numel(); ++i) weights << (i ? "," : "") << w.data_ptr<float>()[i];
      p["collapse_weights"] = weights.str();
      p["collapse_training_accuracy"] = collapseAccuracy_;
    }
    return p;
  }

  std::vector<std::string> featureNames() const override {
    std::vector<std::string> names;
    if (options_.strategy == "collapsed") {
      for (int j = 0; j < featureDim_; ++j) names.push_back("cnn_" + std::to_string(j));
    } else {
      for (int c = 1; c <= kStains; ++c)
        for (int j = 0; j < featureDim_; ++j) names.push_back("w" + std::to_string(c) + "_cnn_" + std::to_string(j));
    }
    return names;
  }

  double embed(const std::vector<std::size_t>& items, const Sink& sink,
               const gandl::tasks::TaskContext& context) override {
    torch::NoGradGuard noGrad;
    for (std::size_t start = 0; start < items.size(); start += kBatch) {
      context.checkCancelled();
      const std::size_t end = std::min(items.size(), start + kBatch);
      std::vector<torch::Tensor> images;
      for (std::size_t k = start; k < end; ++k)
        images.push_back(gandl::plugins::loadSiteTensor(sites_.at(items[k]), options_.inputSize));
      const auto batch = torch::stack(images);  // [B, 5, S, S]
      torch::Tensor vectors;
      if (options_.strategy == "collapsed") {
        vectors = features(collapsed(batch));
      } else {
        std::vector<torch::Tensor> perStain;
        for (int c = 0; c < kStains; ++c) perStain.push_back(features(batch.narrow(1, c, 1).expand({-1, 3, -1, -1})));
        vectors = torch::cat(perStain, 1);
      }
      vectors = vectors.to(torch::kFloat).contiguous();
      const std::vector<std::size_t> chunk(items.begin() + static_cast<std::ptrdiff_t>(start),
                                           items.begin() + static_cast<std::ptrdiff_t>(end));
      sink(chunk, std::vector<float>(vectors.data_ptr<float>(), vectors.data_ptr<float>() + vectors.numel()));
      context.report(static_cast<std::int64_t>(end), static_cast<std::int64_t>(items.size()), "sites");
    }
    return 0.0;
  }

 private:
  // RGB in [0, 1] -> the network's pooled features [N, D].
  torch::Tensor features(const torch::Tensor& rgb) {
    auto x = rgb;
    if (options_.imagenet) {
      const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
      const auto sd = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
      x = (x - mean) / sd;
    }
    torch::Tensor out;
    try {
      out = module_.forward({x}).toTensor();
    } catch (const std::exception& e) {
      throw std::runtime_error("torchscript: " + options_.model.string() + ": the model failed on a [" +
                               std::to_string(x.size(0)) + ", 3, " + std::to_string(x.size(2)) + ", " +
                               std::to_string(x.size(3)) + "] image batch (" + std::string(e.what()).substr(0, 300) +
                               ")");
    }
    if (out.dim() == 4) return out.mean({2, 3});
    if (out.dim() == 2) return out;
    throw std::runtime_error("torchscript: " + options_.model.string() +
                             ": expected an output of [N, D] or [N, D, H, W], got " + std::to_string(out.dim()) +
                             " dimensions");
  }

  // Five stains -> three channels through the trained 1x1 convolution (kept in [0, 1] by a sigmoid
  // so the frozen network sees images in its usual range).
  torch::Tensor collapsed(const torch::Tensor& stains) const {
    return torch::sigmoid(torch::conv2d(stains, collapse_.view({3, kStains, 1, 1}), collapseBias_));
  }

  void trainCollapse(const EmbedderSetup& setup) {
    std::vector<std::size_t> positives, negatives;
    for (std::size_t i = 0; i < sites_.size(); ++i) {
      if (sites_[i].role == Role::PositiveControl && positives.size() < static_cast<std::size_t>(options_.controlSites))
        positives.push_back(i);
      if (sites_[i].role == Role::NegativeControl && negatives.size() < static_cast<std::size_t>(options_.controlSites))
        negatives.push_back(i);
    }
    if (positives.empty() || negatives.empty())
      throw std::invalid_argument("torchscript: --strategy collapsed trains on C+ and C- control sites, and " +
                                  setup.screen.root.string() + " has none of one of them; use --strategy concatenated");
    std::vector<torch::Tensor> images;
    std::vector<float> labels;
    for (auto i : positives) {
      images.push_back(gandl::plugins::loadSiteTensor(sites_[i], options_.inputSize));
      labels.push_back(1.0f);
    }
    for (auto i : negatives) {
      images.push_back(gandl::plugins::loadSiteTensor(sites_[i], options_.inputSize));
      labels.push_back(0.0f);
    }
    const auto x = torch::stack(images);
    const auto y = torch::tensor(labels);
    // Its own generator: the same seed gives the same weights, whatever else uses LibTorch's.
    auto generator = at::detail::createCPUGenerator(options_.seed);
    auto weight = (torch::full({3, kStains}, 1.0f / kStains) + 0.05f * torch::randn({3, kStains}, generator))
                      .set_requires_grad(true);
    auto bias = torch::zeros({3}).set_requires_grad(true);
    auto head = (0.01f * torch::randn({featureDim_}, generator)).set_requires_grad(true);
    auto headBias = torch::zeros({1}).set_requires_grad(true);
    torch::optim::Adam optimizer({weight, bias, head, headBias}, torch::optim::AdamOptions(1e-2));
    const int64_t n = x.size(0);
    for (int epoch = 0; epoch < options_.epochs; ++epoch) {
      const auto order = torch::randperm(n, generator);
      for (int64_t start = 0; start < n; start += kBatch) {
        const auto index = order.narrow(0, start, std::min<int64_t>(kBatch, n - start));
        const auto rgb = torch::sigmoid(torch::conv2d(x.index_select(0, index), weight.view({3, kStains, 1, 1}), bias));
        const auto logits = torch::mv(features(rgb), head) + headBias;
        const auto loss = torch::binary_cross_entropy_with_logits(logits, y.index_select(0, index));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
      }
    }
    collapse_ = weight.detach().clone();
    collapseBias_ = bias.detach().clone();
    torch::NoGradGuard noGrad;
    const auto logits = torch::mv(features(collapsed(x)), head.detach()) + headBias.detach();
    collapseAccuracy_ = ((logits > 0).to(torch::kFloat) == y).to(torch::kFloat).mean().item<double>();
  }

  const std::vector<Site>& sites_;
  Options options_;
  torch::jit::script::Module module_;
  std::string digest_;
  int featureDim_ = 0;
  torch::Tensor collapse_, collapseBias_;
  double collapseAccuracy_ = 0.0;
};

void embedders(std::vector<PluginEmbedder>& out) {
  EmbedderInfo info;
  info.name = "torchscript";
  info.version = "1";
  info.description =
      "a TorchScript image model (e.g. ImageNet DenseNet-121) as feature extractor: --model FILE.pt --strategy "
      "concatenated|collapsed";
  info.needs = gandl::pipeline::EmbedderNeeds::Model;
  info.dimension = 0;  // the model's
  out.push_back({info, [](const EmbedderSetup& setup) { return std::make_unique<TorchScriptEmbedder>(setup); }});
}

}  // namespace

GANDL_EMBEDDER_PLUGIN(embedders)
