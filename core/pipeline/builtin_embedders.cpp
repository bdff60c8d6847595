// The built-in embedders behind the seam of site_embedder.h: GAN-DL (a trained discriminator),
// random-d (the same architecture with seeded random weights, a baseline) and intensity
// (per-channel intensity and texture statistics at native resolution, a baseline).

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/data/intensity_features.h"
#include "core/data/screen_image_source.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/site_embedder.h"

namespace gandl::pipeline {

namespace {

// gandl and random-d: a discriminator's readout, averaged over each site's views.
class DiscriminatorEmbedder final : public SiteEmbedder {
 public:
  DiscriminatorEmbedder(const EmbedderSetup& setup, model::EmbedderKind kind) {
    const auto& options = setup.options;
    model::EmbedOptions embed;
    embed.kind = kind;
    embed.batch = options.batch;
    embed.device = model::resolveDevice(options.device);
    embed.seed = options.seed;
    embed.readout = model::parseReadout(options.readout);
    checkpoint_ = model::describeCheckpoint(model::resolveCheckpointDirectory(options.checkpoint),
                                            kind == model::EmbedderKind::GanDl);
    embed.views = model::parseTestTimeViews(options.tta, checkpoint_.network.resolution);
    const auto view = checkpoint_.view == "tiles" ? data::ViewMode::Tiles : data::ViewMode::Resize;
    source_ = std::make_unique<data::ScreenImageSource>(setup.sites, checkpoint_.network.resolution, view,
                                                        options.loader_threads);
    // A store holds one readout: the identity a resumed .partial must match names it.
    const std::string readoutTag = (embed.readout == model::Readout::Fc512 ? "" : ";readout=" + options.readout) +
                                   (embed.views.none() ? "" : ";tta=" + options.tta);
    provenance_ = {
        {store::kCheckpointHashKey,
         (kind == model::EmbedderKind::GanDl ? checkpoint_.hash : "random-d:seed=" + std::to_string(options.seed)) +
             readoutTag},
        {"checkpoint", (checkpoint_.file.empty() ? checkpoint_.run : checkpoint_.file).string()},
        {"checkpoint_step", checkpoint_.step},
        {"resolution", static_cast<std::int64_t>(checkpoint_.network.resolution)},
        {"views", source_->viewDescription()},
        {"readout", options.readout},
        {"tta", options.tta},
        {"embedding", embed.readout == model::Readout::Fc512
                          ? "discriminator epilogue FC output, eval mode, minibatch-stddev group of 1"
                          : "discriminator block outputs and epilogue conv averaged over space, concatenated "
                            "(multiscale), eval mode, minibatch-stddev group of 1"}};
    embedder_ = std::make_unique<model::Embedder>(checkpoint_, embed);
  }

  int dimension() const override { return embedder_->dimension(); }
  store::Provenance provenance() const override { return provenance_; }
  double embed(const std::vector<std::size_t>& items, const Sink& sink, const tasks::TaskContext& context) override {
    return embedder_->embedItems(*source_, items, sink, context);
  }

 private:
  model::CheckpointInfo checkpoint_;
  std::unique_ptr<data::ScreenImageSource> source_;
  std::unique_ptr<model::Embedder> embedder_;
  store::Provenance provenance_;
};

// The intensity-and-texture baseline: no network, native-resolution sites, loader_threads
// workers, rows in the order asked whatever the thread count.
class IntensityEmbedder final : public SiteEmbedder {
 public:
  explicit IntensityEmbedder(const EmbedderSetup& setup)
      : sites_(setup.sites), threads_(static_cast<unsigned>(std::max(1, setup.options.loader_threads))) {}

  int dimension() const override { return data::kModelChannels * data::kIntensityFeaturesPerChannel; }
  std::vector<std::string> featureNames() const override { return data::intensityFeatureNames(data::kModelChannels); }
  store::Provenance provenance() const override {
    std::string names;
    for (const auto& n : featureNames()) names += (names.empty() ? "" : ",") + n;
    return {{store::kCheckpointHashKey, std::string("intensity:v1")},
            {"embedding", "per-channel intensity and texture statistics at native resolution (" +
                              std::to_string(data::kIntensityFeaturesPerChannel) + " per channel)"},
            {"feature_names", names}};
  }

  double embed(const std::vector<std::size_t>& items, const Sink& sink, const tasks::TaskContext& context) override {
    const auto dim = static_cast<std::size_t>(dimension());
    std::vector<float> rows(items.size() * dim);
    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto total = static_cast<std::int64_t>(items.size());
    const auto worker = [&] {
      try {
        for (std::size_t k; (k = next.fetch_add(1)) < items.size();) {
          context.checkCancelled();
          const auto features = data::intensityFeatures(data::loadSiteImage(sites_[items[k]]));
          std::copy(features.begin(), features.end(), rows.begin() + static_cast<std::ptrdiff_t>(k * dim));
          context.report(++done, total, "sites", "intensity features");
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(failureMutex);
        if (!failure) failure = std::current_exception();
        next = items.size();
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads_; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    sink(items, rows);
    return 0.0;
  }

 private:
  const std::vector<data::Site>& sites_;
  unsigned threads_;
};

}  // namespace

void registerBuiltinEmbedders(EmbedderRegistry& registry) {
  registry.add(
      {"gandl", "1", "GAN-DL: the trained discriminator's epilogue FC-512 (or --readout multiscale)",
       EmbedderNeeds::Model, 0, "built-in"},
      [](const EmbedderSetup& s) { return std::make_unique<DiscriminatorEmbedder>(s, model::EmbedderKind::GanDl); });
  registry.add(
      {"random-d", "1", "baseline: the architecture of --checkpoint (its config.json) with seeded random weights",
       EmbedderNeeds::Nothing, 0, "built-in"},
      [](const EmbedderSetup& s) {
        return std::make_unique<DiscriminatorEmbedder>(s, model::EmbedderKind::RandomDiscriminator);
      });
  registry.add({"intensity", "1", "baseline: 14 intensity and texture statistics per channel at native resolution",
                EmbedderNeeds::Nothing, data::kModelChannels * data::kIntensityFeaturesPerChannel, "built-in"},
               [](const EmbedderSetup& s) { return std::make_unique<IntensityEmbedder>(s); });
}

}  // namespace gandl::pipeline
