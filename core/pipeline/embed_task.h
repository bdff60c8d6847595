#pragma once
// `gandl embed` as a core task the CLI and the GUI both run: screen -> views -> discriminator
// features -> mean per site -> the .h5ad store, plate by plate. Resumable: sites already in the
// store's .partial are not recomputed. Cancel leaves the .partial valid. Refuses an `out` that is
// one of its inputs (the metadata, an image, the screen folder) and an existing store without
// `overwrite`.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/data/screen.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct EmbedTaskOptions {
  std::filesystem::path data;
  data::Layout layout = data::Layout::Auto;
  std::string checkpoint = "demo";  // run directory, or "demo"
  std::filesystem::path out;        // F.h5ad
  std::string embedder = "gandl";   // gandl | random-d
  std::string readout = "fc512";    // gandl, random-d: fc512 (GAN-DL's feature) | multiscale
  std::string tta = "none";         // gandl, random-d: none | dihedral | shifts | dihedral+shifts
  int batch = 0;                    // views per forward pass; 0: 16 on the CPU, 64 on a GPU
  std::string device = "auto";
  int loader_threads = 2;
  std::uint64_t seed = 0;  // random-d weights; the seed of an embedder that trains (torchscript collapsed, convae)
  // For model-file embedders (plugins such as torchscript): the model file and the strategy.
  std::filesystem::path model;
  std::string strategy;  // "" = the embedder's default
  // Further options of a plugin embedder, KEY=VALUE on the command line (--param); each plugin
  // documents and checks its own keys.
  std::map<std::string, std::string> parameters;
  // Sharding (docs/scaling.md): this run embeds plate k of the screen (in the order its complete
  // sites first name them) when k % shard_count == shard_index, into its own store, which records
  // "shard" = "I/N" and resumes like any other; `gandl merge` joins the N stores. Every shard's
  // embedder still sees the whole screen (an embedder that trains trains on all of it).
  int shard_index = 0;
  int shard_count = 1;
  // An existing `out` (a complete store) is replaced only when set, and only once the new store
  // is complete (it is built in out.partial and renamed over it).
  bool overwrite = false;
};

struct EmbedTaskResult {
  std::size_t embedded = 0;        // computed by this run
  std::size_t already_stored = 0;  // found in the .partial of an earlier, interrupted run
  std::size_t incomplete_skipped = 0;
  // What resuming an interrupted run repaired (a damaged plate file dropped and embedded again).
  std::vector<std::string> warnings;
  double seconds = 0.0;
  // Where `seconds` went: opening the screen, the checkpoint and the store; the sites themselves
  // (decode, network, per-plate store writes); closing the store (rename into place).
  double setup_seconds = 0.0;
  double sites_seconds = 0.0;
  double finish_seconds = 0.0;
  double data_wait_seconds = 0.0;
};

EmbedTaskResult runEmbedding(const EmbedTaskOptions& options, const tasks::TaskContext& context = {});

// Provenance of a shard store: "shard" = "I/N"; its checkpoint_hash ends in kShardIdentitySuffix + "I/N".
inline constexpr const char* kShardKey = "shard";
inline constexpr const char* kShardIdentitySuffix = ";shard=";

// "experiment/Plate<N>" -> its ordinal in the order `sites` first name the plates (the order a
// single run embeds them in, and the one shards are dealt by).
std::map<std::string, std::size_t> plateOrdinals(const std::vector<data::Site>& sites);

}  // namespace gandl::pipeline
