#include "core/pipeline/embed_task.h"

#include <chrono>
#include <map>
#include <stdexcept>

#include "core/data/screen_image_source.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/store/embedding_writer.h"

namespace gandl::pipeline {

EmbedTaskResult runEmbedding(const EmbedTaskOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  EmbedTaskResult result;
  model::EmbedOptions embed;
  if (options.embedder == "gandl")
    embed.kind = model::EmbedderKind::GanDl;
  else if (options.embedder == "random-d")
    embed.kind = model::EmbedderKind::RandomDiscriminator;
  else
    throw std::invalid_argument("unknown embedder '" + options.embedder + "'; expected gandl or random-d");
  embed.batch = options.batch;
  embed.device = model::resolveDevice(options.device);
  embed.seed = options.seed;

  const auto checkpoint = model::describeCheckpoint(model::resolveCheckpointDirectory(options.checkpoint));
  const data::Screen screen = data::loadScreen(options.data, options.layout, context);
  auto sites = data::completeSites(screen, &result.incomplete_skipped);
  const auto view = checkpoint.view == "tiles" ? data::ViewMode::Tiles : data::ViewMode::Resize;
  data::ScreenImageSource source(sites, checkpoint.network.resolution, view, options.loader_threads);

  std::string channelMap;
  for (int c : screen.channel_map) channelMap += (channelMap.empty() ? "w" : ",w") + std::to_string(c);
  store::Provenance provenance{
      {store::kCheckpointHashKey,
       embed.kind == model::EmbedderKind::GanDl ? checkpoint.hash
                                                : "random-d:seed=" + std::to_string(options.seed)},
      {"embedder", options.embedder},
      {"checkpoint", checkpoint.file.string()},
      {"checkpoint_step", checkpoint.step},
      {"resolution", static_cast<std::int64_t>(checkpoint.network.resolution)},
      {"views", source.viewDescription()},
      {"channel_map", channelMap},
      {"layout", std::string(data::layoutName(screen.layout))},
      {"screen", std::filesystem::absolute(options.data).string()},
      {"embedding", "discriminator epilogue FC output, eval mode, minibatch-stddev group of 1"},
      {"software_version", std::string(GANDL_VERSION)}};
  model::Embedder embedder(checkpoint, embed);
  store::EmbeddingWriter writer(options.out, embedder.dimension(), provenance);

  // Plates in screen order; within a plate, the sites not stored yet.
  std::vector<std::pair<std::string, std::vector<std::size_t>>> plates;
  std::map<std::string, std::size_t> plateIndex;
  std::size_t todo = 0;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (writer.contains(sites[i].site_id)) {
      ++result.already_stored;
      continue;
    }
    const std::string key = sites[i].experiment + "/Plate" + std::to_string(sites[i].plate);
    auto [it, inserted] = plateIndex.emplace(key, plates.size());
    if (inserted) plates.push_back({key, {}});
    plates[it->second].second.push_back(i);
    ++todo;
  }

  const auto total = static_cast<std::int64_t>(todo);
  for (const auto& [plate, items] : plates) {
    std::vector<const data::Site*> plateSites;
    std::vector<float> rows;
    const std::int64_t before = static_cast<std::int64_t>(result.embedded);
    const tasks::TaskContext inner = context.relay([&](const tasks::ProgressUpdate& u) {
      context.report(before + u.done, total, "sites", "embedding " + plate);
    });
    embedder.embedItems(source, items,
                        [&](const std::vector<std::size_t>& done, const std::vector<float>& vectors) {
                          for (auto item : done) plateSites.push_back(&sites[item]);
                          rows.insert(rows.end(), vectors.begin(), vectors.end());
                        },
                        inner);
    writer.append(plateSites, rows.data());
    result.embedded += plateSites.size();
    context.report(static_cast<std::int64_t>(result.embedded), total, "sites", "stored " + plate);
  }
  writer.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace gandl::pipeline
