#pragma once
// `gandl merge`: joins the stores of `gandl embed --shard I/N` (each a 1/N of the screen's plates)
// into one store whose /X and /obs equal those of a single-process run: the sites in the order a
// single run writes them (plates in the order the screen's complete sites first name them), the
// provenance of the shards without the shard. Refuses, naming the files: shards of different
// models, embedders, screens or shard counts, a shard given twice or missing, a site in two
// shards, and a site of the screen in none. Written through the store's journal (atomic).

#include <filesystem>
#include <vector>

#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct MergeResult {
  std::size_t sites = 0;
  int shards = 0;
};

MergeResult mergeShards(const std::filesystem::path& out, const std::vector<std::filesystem::path>& shards,
                        bool overwrite = false, const tasks::TaskContext& context = {});

}  // namespace gandl::pipeline
