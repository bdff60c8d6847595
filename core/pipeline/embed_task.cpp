#include "core/pipeline/embed_task.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <map>
#include <stdexcept>

#include "core/data/intensity_features.h"
#include "core/data/screen_image_source.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/store/embedding_writer.h"

namespace gandl::pipeline {

namespace {

// Plates in screen order; within a plate, the sites the store does not hold yet.
struct PlateWork {
  std::string name;  // experiment/Plate<N>
  std::vector<std::size_t> items;
};

std::vector<PlateWork> pendingPlates(const std::vector<data::Site>& sites, const store::EmbeddingWriter& writer,
                                     EmbedTaskResult& result, std::size_t& todo) {
  std::vector<PlateWork> plates;
  std::map<std::string, std::size_t> plateIndex;
  todo = 0;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (writer.contains(sites[i].site_id)) {
      ++result.already_stored;
      continue;
    }
    const std::string key = sites[i].experiment + "/Plate" + std::to_string(sites[i].plate);
    auto [it, inserted] = plateIndex.emplace(key, plates.size());
    if (inserted) plates.push_back({key, {}});
    plates[it->second].items.push_back(i);
    ++todo;
  }
  return plates;
}

std::string channelMapText(const data::Screen& screen) {
  std::string channelMap;
  for (int c : screen.channel_map) channelMap += (channelMap.empty() ? "w" : ",w") + std::to_string(c);
  return channelMap;
}

// The intensity-and-texture baseline: no network, native-resolution sites, `threads` workers
// per plate, rows stored in the plate's site order whatever the thread count.
EmbedTaskResult runIntensityEmbedding(const EmbedTaskOptions& options, const tasks::TaskContext& context,
                                      std::chrono::steady_clock::time_point start) {
  EmbedTaskResult result;
  const data::Screen screen = data::loadScreen(options.data, options.layout, context);
  const auto sites = data::completeSites(screen, &result.incomplete_skipped);
  if (sites.empty())
    throw std::runtime_error(options.data.string() + ": no complete site to embed");
  const int dimension = data::kModelChannels * data::kIntensityFeaturesPerChannel;
  store::Provenance provenance{
      {store::kCheckpointHashKey, std::string("intensity:v1")},
      {"embedder", std::string("intensity")},
      {"embedding", "per-channel intensity and texture statistics at native resolution (" +
                        std::to_string(data::kIntensityFeaturesPerChannel) + " per channel)"},
      {"feature_names", [] {
         std::string names;
         for (const auto& n : data::intensityFeatureNames(data::kModelChannels)) names += (names.empty() ? "" : ",") + n;
         return names;
       }()},
      {"channel_map", channelMapText(screen)},
      {"layout", std::string(data::layoutName(screen.layout))},
      {"screen", std::filesystem::absolute(options.data).string()},
      {"software_version", std::string(GANDL_VERSION)}};
  store::EmbeddingWriter writer(options.out, dimension, provenance, data::intensityFeatureNames(data::kModelChannels));
  std::size_t todo = 0;
  const auto plates = pendingPlates(sites, writer, result, todo);
  const auto sitesStart = std::chrono::steady_clock::now();
  result.setup_seconds = std::chrono::duration<double>(sitesStart - start).count();
  const auto total = static_cast<std::int64_t>(todo);
  const unsigned threads = static_cast<unsigned>(std::max(1, options.loader_threads));
  std::atomic<std::int64_t> done{0};
  for (const auto& plate : plates) {
    std::vector<float> rows(plate.items.size() * static_cast<std::size_t>(dimension));
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto worker = [&] {
      try {
        for (std::size_t k; (k = next.fetch_add(1)) < plate.items.size();) {
          context.checkCancelled();
          const auto features = data::intensityFeatures(data::loadSiteImage(sites[plate.items[k]]));
          std::copy(features.begin(), features.end(), rows.begin() + static_cast<std::ptrdiff_t>(k * dimension));
          context.report(++done, total, "sites", "intensity features " + plate.name);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(failureMutex);
        if (!failure) failure = std::current_exception();
        next = plate.items.size();
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    std::vector<const data::Site*> plateSites;
    for (auto item : plate.items) plateSites.push_back(&sites[item]);
    writer.append(plateSites, rows.data());
    result.embedded += plateSites.size();
  }
  writer.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

EmbedTaskResult runEmbedding(const EmbedTaskOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  if (options.embedder == "intensity") return runIntensityEmbedding(options, context, start);
  EmbedTaskResult result;
  model::EmbedOptions embed;
  if (options.embedder == "gandl")
    embed.kind = model::EmbedderKind::GanDl;
  else if (options.embedder == "random-d")
    embed.kind = model::EmbedderKind::RandomDiscriminator;
  else
    throw std::invalid_argument("unknown embedder '" + options.embedder + "'; expected gandl, random-d or intensity");
  embed.batch = options.batch;
  embed.device = model::resolveDevice(options.device);
  embed.seed = options.seed;
  embed.readout = model::parseReadout(options.readout);
  if (options.tta != "none" && options.tta != "dihedral")
    throw std::invalid_argument("unknown test-time augmentation '" + options.tta + "'; expected none or dihedral");
  embed.dihedral = options.tta == "dihedral";
  // A store holds one readout: the identity a resumed .partial must match names it.
  const std::string readoutTag = (embed.readout == model::Readout::Fc512 ? "" : ";readout=" + options.readout) +
                                 (embed.dihedral ? ";tta=dihedral" : "");

  const auto checkpoint = model::describeCheckpoint(model::resolveCheckpointDirectory(options.checkpoint),
                                                    embed.kind == model::EmbedderKind::GanDl);
  const data::Screen screen = data::loadScreen(options.data, options.layout, context);
  auto sites = data::completeSites(screen, &result.incomplete_skipped);
  const auto view = checkpoint.view == "tiles" ? data::ViewMode::Tiles : data::ViewMode::Resize;
  data::ScreenImageSource source(sites, checkpoint.network.resolution, view, options.loader_threads);

  const std::string channelMap = channelMapText(screen);
  store::Provenance provenance{
      {store::kCheckpointHashKey,
       (embed.kind == model::EmbedderKind::GanDl ? checkpoint.hash
                                                 : "random-d:seed=" + std::to_string(options.seed)) +
           readoutTag},
      {"embedder", options.embedder},
      {"checkpoint", (checkpoint.file.empty() ? checkpoint.run : checkpoint.file).string()},
      {"checkpoint_step", checkpoint.step},
      {"resolution", static_cast<std::int64_t>(checkpoint.network.resolution)},
      {"views", source.viewDescription()},
      {"channel_map", channelMap},
      {"layout", std::string(data::layoutName(screen.layout))},
      {"screen", std::filesystem::absolute(options.data).string()},
      {"readout", options.readout},
      {"tta", options.tta},
      {"embedding", embed.readout == model::Readout::Fc512
                        ? "discriminator epilogue FC output, eval mode, minibatch-stddev group of 1"
                        : "discriminator block outputs and epilogue conv averaged over space, concatenated (multiscale), "
                          "eval mode, minibatch-stddev group of 1"},
      {"software_version", std::string(GANDL_VERSION)}};
  model::Embedder embedder(checkpoint, embed);
  store::EmbeddingWriter writer(options.out, embedder.dimension(), provenance);

  std::size_t todo = 0;
  const auto plates = pendingPlates(sites, writer, result, todo);
  const auto sitesStart = std::chrono::steady_clock::now();
  result.setup_seconds = std::chrono::duration<double>(sitesStart - start).count();
  const auto total = static_cast<std::int64_t>(todo);
  for (const auto& [plate, items] : plates) {
    std::vector<const data::Site*> plateSites;
    std::vector<float> rows;
    const std::int64_t before = static_cast<std::int64_t>(result.embedded);
    const tasks::TaskContext inner = context.relay([&](const tasks::ProgressUpdate& u) {
      context.report(before + u.done, total, "sites", "embedding " + plate);
    });
    result.data_wait_seconds += embedder.embedItems(source, items,
                        [&](const std::vector<std::size_t>& done, const std::vector<float>& vectors) {
                          for (auto item : done) plateSites.push_back(&sites[item]);
                          rows.insert(rows.end(), vectors.begin(), vectors.end());
                        },
                        inner);
    writer.append(plateSites, rows.data());
    result.embedded += plateSites.size();
    context.report(static_cast<std::int64_t>(result.embedded), total, "sites", "stored " + plate);
  }
  const auto finishStart = std::chrono::steady_clock::now();
  result.sites_seconds = std::chrono::duration<double>(finishStart - sitesStart).count();
  writer.finish();
  const auto end = std::chrono::steady_clock::now();
  result.finish_seconds = std::chrono::duration<double>(end - finishStart).count();
  result.seconds = std::chrono::duration<double>(end - start).count();
  return result;
}

}  // namespace gandl::pipeline
