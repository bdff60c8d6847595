#include "core/pipeline/embed_task.h"

#include <chrono>
#include <map>
#include <stdexcept>

#include "core/common/hash.h"
#include "core/common/paths.h"
#include "core/data/screen_image_source.h"
#include "core/pipeline/site_embedder.h"
#include "core/store/embedding_writer.h"

namespace fs = std::filesystem;

namespace gandl::pipeline {

namespace {

// Plates in screen order; within a plate, the sites the store does not hold yet.
struct PlateWork {
  std::string name;  // experiment/Plate<N>
  std::vector<std::size_t> items;
};

}  // namespace

std::map<std::string, std::size_t> plateOrdinals(const std::vector<data::Site>& sites) {
  std::map<std::string, std::size_t> ordinals;
  for (const auto& site : sites)
    ordinals.emplace(site.experiment + "/Plate" + std::to_string(site.plate), ordinals.size());
  return ordinals;
}

namespace {

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

// What a resumed store must match of the screen: its metadata's bytes and every image's name
// (relative to the screen) and size. Stats each image once; reads only metadata.csv.
std::string screenHash(const data::Screen& screen) {
  common::Fnv1a64 hash;
  const auto metadata = screen.root / "metadata.csv";
  if (fs::exists(metadata)) hash.add(common::fileHash(metadata));
  std::error_code error;
  for (const auto& site : screen.sites) {
    for (const auto& file : site.channel_files) {
      hash.add(file.lexically_relative(screen.root).generic_string());
      const auto size = file.empty() ? 0 : fs::file_size(file, error);
      hash.add(static_cast<std::uint64_t>(error ? 0 : size));
    }
  }
  return hash.text();
}

std::string channelMapText(const data::Screen& screen) {
  std::string channelMap;
  for (int c : screen.channel_map) channelMap += (channelMap.empty() ? "w" : ",w") + std::to_string(c);
  return channelMap;
}

double secondsBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

EmbedTaskResult runEmbedding(const EmbedTaskOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  const auto& registry = EmbedderRegistry::instance();
  registry.info(options.embedder);  // an unknown name fails before the screen is read
  EmbedTaskResult result;
  const data::Screen screen = data::loadScreen(options.data, options.layout, context);
  {
    std::vector<std::pair<fs::path, std::string>> inputs = {
        {options.data, "the screen folder"},
        {options.data / "metadata.csv", "the screen's metadata"},
        {options.data / "ground_truth.csv", "the screen's ground truth"}};
    for (const auto& site : screen.sites)
      for (const auto& file : site.channel_files)  // the name first: a stat per image only where it could match
        if (file.filename() == options.out.filename()) inputs.push_back({file, "an image of site " + site.site_id});
    common::refuseOutputThatIsAnInput(options.out, "--out", inputs);
  }
  if (fs::is_directory(options.out))
    throw std::invalid_argument(options.out.string() + " is a folder, not a store file");
  if (fs::exists(options.out) && !options.overwrite)
    throw std::runtime_error(options.out.string() +
                             " already exists; pass --overwrite to replace it (the new store replaces it only once "
                             "complete), or choose another --out");
  const auto sites = data::completeSites(screen, &result.incomplete_skipped);
  if (sites.empty()) throw std::runtime_error(options.data.string() + ": no complete site to embed");
  const auto embedder = registry.create(options.embedder, EmbedderSetup{screen, sites, options});

  store::Provenance provenance = embedder->provenance();
  if (!provenance.count(store::kCheckpointHashKey))
    throw std::logic_error("embedder '" + options.embedder + "' gives no " + store::kCheckpointHashKey);
  provenance["embedder"] = options.embedder;
  provenance[store::kScreenHashKey] = screenHash(screen);
  provenance["channel_map"] = channelMapText(screen);
  provenance["layout"] = std::string(data::layoutName(screen.layout));
  provenance["screen"] = std::filesystem::absolute(options.data).string();
  provenance["software_version"] = std::string(GANDL_VERSION);
  if (options.shard_count > 1) {
    if (options.shard_index < 0 || options.shard_index >= options.shard_count)
      throw std::invalid_argument("shard " + std::to_string(options.shard_index) + "/" +
                                  std::to_string(options.shard_count) + ": the index must be in 0.." +
                                  std::to_string(options.shard_count - 1));
    const std::string shard = std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count);
    provenance[kShardKey] = shard;
    // A resumed journal must be the same shard: the identity says which.
    provenance[store::kCheckpointHashKey] =
        store::toString(provenance[store::kCheckpointHashKey]) + kShardIdentitySuffix + shard;
  }
  store::EmbeddingWriter writer(options.out, embedder->dimension(), provenance, embedder->featureNames());
  result.warnings = writer.warnings();

  std::size_t todo = 0;
  auto plates = pendingPlates(sites, writer, result, todo);
  if (options.shard_count > 1) {
    const auto ordinals = plateOrdinals(sites);
    std::vector<PlateWork> mine;
    todo = 0;
    for (auto& plate : plates)
      if (ordinals.at(plate.name) % options.shard_count == static_cast<std::size_t>(options.shard_index)) {
        todo += plate.items.size();
        mine.push_back(std::move(plate));
      }
    plates = std::move(mine);
  }
  const auto sitesStart = std::chrono::steady_clock::now();
  result.setup_seconds = secondsBetween(start, sitesStart);
  const auto total = static_cast<std::int64_t>(todo);
  for (const auto& [plate, items] : plates) {
    std::vector<const data::Site*> plateSites;
    std::vector<float> rows;
    const std::int64_t before = static_cast<std::int64_t>(result.embedded);
    // Sites count towards the whole screen; anything else an embedder reports (an autoencoder's
    // training steps before its first plate) passes through as it is.
    const tasks::TaskContext inner = context.relay([&](const tasks::ProgressUpdate& u) {
      if (u.unit != "sites") {
        context.report(u.done, u.total, u.unit, u.message);
        return;
      }
      context.report(before + u.done, total, "sites", "embedding " + plate);
    });
    result.data_wait_seconds += embedder->embed(
        items,
        [&](const std::vector<std::size_t>& done, const std::vector<float>& vectors) {
          for (auto item : done) plateSites.push_back(&sites[item]);
          rows.insert(rows.end(), vectors.begin(), vectors.end());
        },
        inner);
    if (plateSites.size() != items.size())
      throw std::logic_error("embedder '" + options.embedder + "' returned " + std::to_string(plateSites.size()) +
                             " of " + std::to_string(items.size()) + " sites of " + plate);
    writer.append(plateSites, rows.data());
    result.embedded += plateSites.size();
    context.report(static_cast<std::int64_t>(result.embedded), total, "sites", "stored " + plate);
  }
  const auto finishStart = std::chrono::steady_clock::now();
  result.sites_seconds = secondsBetween(sitesStart, finishStart);
  writer.finish();
  const auto end = std::chrono::steady_clock::now();
  result.finish_seconds = secondsBetween(finishStart, end);
  result.seconds = secondsBetween(start, end);
  return result;
}

}  // namespace gandl::pipeline
