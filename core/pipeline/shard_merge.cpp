#include "core/pipeline/shard_merge.h"

#include <map>
#include <set>
#include <stdexcept>

#include "core/data/screen_image_source.h"
#include "core/pipeline/embed_task.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"

namespace fs = std::filesystem;

namespace gandl::pipeline {

namespace {

std::string text(const store::Provenance& p, const std::string& key) {
  const auto it = p.find(key);
  return it == p.end() ? std::string() : store::toString(it->second);
}

// "I/N" -> {I, N}; throws naming the file otherwise.
std::pair<int, int> parseShard(const fs::path& file, const std::string& shard) {
  const auto slash = shard.find('/');
  try {
    if (slash != std::string::npos) {
      const int index = std::stoi(shard.substr(0, slash)), count = std::stoi(shard.substr(slash + 1));
      if (count > 1 && index >= 0 && index < count) return {index, count};
    }
  } catch (const std::exception&) {}
  throw std::invalid_argument(file.string() + ": not a shard store (provenance 'shard' is '" + shard +
                              "'; make shards with gandl embed --shard I/N)");
}

}  // namespace

MergeResult mergeShards(const fs::path& out, const std::vector<fs::path>& shardFiles, bool overwrite,
                        const tasks::TaskContext& context) {
  if (shardFiles.empty()) throw std::invalid_argument("merge: no shard stores given");
  if (fs::exists(out) && !overwrite)
    throw std::runtime_error(out.string() + " already exists; pass --overwrite to replace it, or choose another --out");
  struct Shard {
    fs::path file;
    store::Provenance provenance;
    std::vector<std::string> ids;
    store::RowMatrix rows;
    std::vector<std::string> varNames;
  };
  std::vector<Shard> shards;
  std::map<int, fs::path> seen;
  int count = 0;
  std::string identity, screenHash, embedder;
  for (const auto& file : shardFiles) {
    context.checkCancelled();
    if (fs::exists(out) && fs::equivalent(file, out))
      throw std::invalid_argument("merge: --out " + out.string() + " is also a shard");
    const auto store = store::EmbeddingStore::open(file);
    Shard s{file, store.provenance(), store.siteIds(), store.readAll(), store.varNames()};
    const auto [index, n] = parseShard(file, text(s.provenance, kShardKey));
    std::string hash = text(s.provenance, store::kCheckpointHashKey);
    const auto suffix = hash.rfind(kShardIdentitySuffix);
    if (suffix != std::string::npos) hash.erase(suffix);
    if (shards.empty()) {
      count = n;
      identity = hash;
      screenHash = text(s.provenance, store::kScreenHashKey);
      embedder = text(s.provenance, "embedder");
    } else {
      const auto& first = shards.front().file;
      if (n != count)
        throw std::invalid_argument("merge: " + file.string() + " is shard " + std::to_string(index) + "/" +
                                    std::to_string(n) + " but " + first.string() + " is one of " +
                                    std::to_string(count));
      if (text(s.provenance, "embedder") != embedder)
        throw std::invalid_argument("merge: " + file.string() + " was embedded with '" +
                                    text(s.provenance, "embedder") + "', " + first.string() + " with '" + embedder +
                                    "'");
      if (hash != identity)
        throw std::invalid_argument("merge: " + file.string() + " comes from another model or options (" + hash +
                                    ") than " + first.string() + " (" + identity + ")");
      if (text(s.provenance, store::kScreenHashKey) != screenHash)
        throw std::invalid_argument("merge: " + file.string() + " embeds another screen than " + first.string());
      if (s.rows.cols() != shards.front().rows.cols())
        throw std::invalid_argument("merge: " + file.string() + " has " + std::to_string(s.rows.cols()) +
                                    " features, " + first.string() + " " + std::to_string(shards.front().rows.cols()));
    }
    if (!seen.emplace(index, file).second)
      throw std::invalid_argument("merge: shard " + std::to_string(index) + "/" + std::to_string(count) +
                                  " is given twice: " + seen[index].string() + " and " + file.string());
    shards.push_back(std::move(s));
  }
  for (int i = 0; i < count; ++i)
    if (!seen.count(i))
      throw std::invalid_argument("merge: shard " + std::to_string(i) + "/" + std::to_string(count) +
                                  " is missing (given: " + std::to_string(seen.size()) + " of " +
                                  std::to_string(count) + ")");

  // Every site's row, from the one shard that holds it.
  std::map<std::string, std::pair<std::size_t, Eigen::Index>> where;
  for (std::size_t s = 0; s < shards.size(); ++s)
    for (std::size_t r = 0; r < shards[s].ids.size(); ++r)
      if (!where.emplace(shards[s].ids[r], std::pair{s, static_cast<Eigen::Index>(r)}).second)
        throw std::invalid_argument("merge: site " + shards[s].ids[r] + " is in " +
                                    shards[where[shards[s].ids[r]].first].file.string() + " and in " +
                                    shards[s].file.string());

  // The sites in a single run's order, from the screen the shards name.
  const auto& provenance = shards.front().provenance;
  const fs::path screenPath = text(provenance, "screen");
  const auto screen = data::loadScreen(screenPath, data::parseLayout(text(provenance, "layout")), context);
  const auto sites = data::completeSites(screen);
  const auto ordinals = plateOrdinals(sites);
  std::vector<std::vector<std::size_t>> byPlate(ordinals.size());
  for (std::size_t i = 0; i < sites.size(); ++i)
    byPlate[ordinals.at(sites[i].experiment + "/Plate" + std::to_string(sites[i].plate))].push_back(i);

  store::Provenance merged = provenance;
  merged.erase(kShardKey);
  merged[store::kCheckpointHashKey] = identity;
  merged.erase("created_at");
  merged.erase("finished_at");
  merged["merged_from"] = static_cast<std::int64_t>(count);
  const auto dimension = static_cast<int>(shards.front().rows.cols());
  // A merge is not resumed (it takes seconds): a journal left by an interrupted one is dropped.
  fs::remove_all(fs::path(out.string() + store::kPartialSuffix));
  store::EmbeddingWriter writer(out, dimension, merged, shards.front().varNames);
  MergeResult result;
  result.shards = count;
  for (const auto& plate : byPlate) {
    context.checkCancelled();
    std::vector<const data::Site*> plateSites;
    std::vector<float> rows;
    for (auto i : plate) {
      const auto it = where.find(sites[i].site_id);
      if (it == where.end())
        throw std::invalid_argument("merge: site " + sites[i].site_id + " of " + screenPath.string() +
                                    " is in none of the shards (an unfinished shard?)");
      const auto& m = shards[it->second.first].rows;
      for (Eigen::Index j = 0; j < m.cols(); ++j) rows.push_back(m(it->second.second, j));
      plateSites.push_back(&sites[i]);
    }
    writer.append(plateSites, rows.data());
    result.sites += plateSites.size();
    context.report(static_cast<std::int64_t>(result.sites), static_cast<std::int64_t>(sites.size()), "sites", "merged");
  }
  if (result.sites != where.size())
    throw std::invalid_argument("merge: the shards hold " + std::to_string(where.size()) + " sites, the screen " +
                                std::to_string(result.sites) + " complete ones (another screen?)");
  writer.finish();
  return result;
}

}  // namespace gandl::pipeline
