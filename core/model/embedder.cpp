#include "core/model/embedder.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>

#include "core/model/augment.h"
#include "core/model/checkpoint.h"
#include "core/common/hash.h"
#include "core/model/global_rng.h"
#include "core/model/run_directory.h"

namespace gandl::model {

CheckpointInfo describeCheckpoint(const std::filesystem::path& runDir, bool requireWeights) {
  const RunDirectory run(runDir);
  const TrainingConfig config = run.readConfig();
  const auto step = run.latestStep();
  if (!step && requireWeights)
    throw std::runtime_error(runDir.string() + ": has config.json but no step-<N>.pt checkpoint");
  CheckpointInfo info;
  info.run = runDir;
  if (step) {
    info.file = run.checkpointPath(*step);
    info.step = *step;
    info.hash = common::fileHash(info.file);
  }
  info.network = config.network;
  info.view = config.view;
  return info;
}

Readout parseReadout(const std::string& name) {
  if (name == "fc512") return Readout::Fc512;
  if (name == "multiscale") return Readout::Multiscale;
  throw std::invalid_argument("unknown readout '" + name + "'; expected fc512 or multiscale");
}

std::string readoutName(Readout readout) { return readout == Readout::Multiscale ? "multiscale" : "fc512"; }

struct Embedder::Impl {
  CheckpointInfo checkpoint;
  Readout readout = Readout::Fc512;
  TestTimeViews views;
  torch::Device device{torch::kCPU};
  int batch = 64;
  Discriminator discriminator{nullptr};
};

int defaultEmbedBatch(const std::string& device) { return device.rfind("cuda", 0) == 0 ? 64 : 16; }

Embedder::Embedder(const CheckpointInfo& checkpoint, const EmbedOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->checkpoint = checkpoint;
  impl_->readout = options.readout;
  impl_->views = options.views;
  impl_->device = torch::Device(options.device);
  impl_->batch = options.batch > 0 ? options.batch : defaultEmbedBatch(options.device);
  if (options.kind == EmbedderKind::GanDl) {
    impl_->discriminator = loadDiscriminator(checkpoint.run, impl_->device);
  } else {
    {
      IsolatedGlobalRng isolate;  // seeded weights without touching a running training's stream
      torch::manual_seed(options.seed);
      impl_->discriminator = Discriminator(checkpoint.network);
    }
    impl_->discriminator->to(impl_->device);
    impl_->discriminator->eval();
  }
}

Embedder::~Embedder() = default;

int Embedder::dimension() const {
  return static_cast<int>(impl_->readout == Readout::Multiscale ? impl_->discriminator->multiscaleDim()
                                                                : impl_->discriminator->embeddingDim());
}

double Embedder::embedItems(common::ImageSource& source, const std::vector<std::size_t>& items, const Sink& sink,
                            const tasks::TaskContext& context) {
  const auto& checkpoint = impl_->checkpoint;
  auto& discriminator = impl_->discriminator;
  const auto device = impl_->device;
  if (source.resolution() != checkpoint.network.resolution)
    throw std::runtime_error("the images are prepared at " + std::to_string(source.resolution()) + " px but " +
                             checkpoint.file.string() + " expects " + std::to_string(checkpoint.network.resolution) +
                             " px");
  torch::NoGradGuard noGrad;
  const int64_t dim = dimension();
  const bool multiscale = impl_->readout == Readout::Multiscale;
  auto stream = source.embeddingBatches(items, impl_->batch);

  // Views of one item are consecutive but may straddle batches: accumulate until the item changes.
  std::vector<std::size_t> doneItems;
  std::vector<float> doneRows;
  std::vector<double> sum(static_cast<std::size_t>(dim), 0.0);
  std::size_t current = static_cast<std::size_t>(-1);
  int views = 0;
  std::int64_t embedded = 0;
  auto close = [&] {
    if (views == 0) return;
    doneItems.push_back(current);
    for (int64_t j = 0; j < dim; ++j) doneRows.push_back(static_cast<float>(sum[j] / views));
    std::fill(sum.begin(), sum.end(), 0.0);
    views = 0;
  };
  while (auto batch = stream->next()) {
    context.checkCancelled();
    const auto pixels = torch::from_blob(batch->pixels.data(),
                                         {batch->count, batch->channels, batch->height, batch->width}, torch::kFloat32);
    const auto input = pixels.to(device);
    auto readout = [&](const torch::Tensor& x) {
      return multiscale ? discriminator->multiscale(x) : discriminator->embed(x);
    };
    torch::Tensor vectors = readout(input);
    const int copies = impl_->views.count();
    for (int k = 1; k < copies; ++k) vectors = vectors + readout(applyTestTimeView(impl_->views, input, k));
    if (copies > 1) vectors = vectors / static_cast<double>(copies);
    vectors = vectors.to(torch::kCPU).contiguous();
    const float* v = vectors.data_ptr<float>();
    for (int i = 0; i < batch->count; ++i) {
      if (batch->items[i] != current) {
        close();
        current = batch->items[i];
      }
      for (int64_t j = 0; j < dim; ++j) sum[j] += v[i * dim + j];
      ++views;
    }
    // Hand over every finished item; the one in progress stays.
    if (!doneItems.empty()) {
      embedded += static_cast<std::int64_t>(doneItems.size());
      sink(doneItems, doneRows);
      doneItems.clear();
      doneRows.clear();
    }
    context.report(embedded, static_cast<std::int64_t>(items.size()), "sites");
  }
  close();
  if (!doneItems.empty()) {
    embedded += static_cast<std::int64_t>(doneItems.size());
    sink(doneItems, doneRows);
  }
  context.report(embedded, static_cast<std::int64_t>(items.size()), "sites");
  return stream->waitedSeconds();
}

}  // namespace gandl::model
