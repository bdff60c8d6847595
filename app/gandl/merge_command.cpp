// `gandl merge`: joins the stores of `gandl embed --shard I/N` into one (core/pipeline/shard_merge.h).
#include <CLI/CLI.hpp>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/pipeline/shard_merge.h"

namespace gandl::cli {

void addMergeCommand(CLI::App& app) {
  struct Options {
    std::filesystem::path out;
    std::vector<std::filesystem::path> shards;
    bool overwrite = false;
  };
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "merge",
      "Join the stores of `gandl embed --shard I/N` into one, identical (X and obs) to a single-process embedding");
  command->add_option("--out", o->out, "the merged store (F.h5ad)")->required();
  command->add_option("shards", o->shards, "the N shard stores, in any order")->required()->check(CLI::ExistingFile);
  command->add_flag("--overwrite", o->overwrite, "replace an existing --out (only once the merged store is complete)");
  command->callback([o] {
    CliProgress progress("merge");
    const auto r = pipeline::mergeShards(o->out, o->shards, o->overwrite, progress.context());
    progress.finish("merged " + std::to_string(r.shards) + " shards, " + std::to_string(r.sites) + " sites, into " +
                    o->out.string());
  });
}

}  // namespace gandl::cli
