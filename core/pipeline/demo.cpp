#include "core/pipeline/demo.h"

#include <algorithm>

#include "core/data/synthetic_screen.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/training_config.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/store_embeddings.h"
#include "core/pipeline/embed_task.h"
#include "core/store/embedding_store.h"
#include "core/store/provenance.h"

namespace fs = std::filesystem;

namespace gandl::pipeline {

DemoPaths demoPaths(const fs::path& root) {
  DemoPaths p;
  p.root = root;
  p.screen = root / "screen";
  p.store = root / "demo.h5ad";
  p.fallbackStore = root / "demo-random-d.h5ad";
  p.intensityStore = root / "demo-intensity.h5ad";
  p.bootstrapRun = root / "random-d-architecture";
  return p;
}

namespace {

// The checkpoint hash a store was embedded with ("" when it records none or cannot be read).
std::string storedModelHash(const fs::path& store) {
  try {
    const auto provenance = store::EmbeddingStore::open(store).provenance();
    const auto stored = provenance.find(store::kCheckpointHashKey);
    return stored == provenance.end() ? std::string() : store::toString(stored->second);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

DemoResult prepareDemo(const DemoOptions& options, const tasks::TaskContext& context) {
  DemoResult result;
  result.paths = demoPaths(options.root);
  const auto& paths = result.paths;
  fs::create_directories(paths.root);
  if (!fs::exists(paths.screen / "metadata.csv")) {
    context.report(0, 0, "", "writing the demo synthetic screen");
    data::writeSyntheticScreen(paths.screen, data::SynthPreset::Small, 1, context);
    result.wroteScreen = true;
    result.notes.push_back({"info", "wrote the demo screen to " + paths.screen.string()});
  }

  EmbedTaskOptions embed;
  embed.data = paths.screen;
  embed.device = options.device;
  const fs::path model = model::resolveCheckpointDirectory(options.model);
  if (fs::exists(model / "config.json")) {
    embed.checkpoint = model.string();
    embed.embedder = "gandl";
    result.store = paths.store;
    result.checkpoint = options.model;
    // A store of another model (the shipped model was updated): embed again.
    const auto current = model::describeCheckpoint(model).hash;
    if (fs::exists(paths.store) && storedModelHash(paths.store) != current) {
      result.notes.push_back({"info", paths.store.string() + " was embedded with another model; embedding again"});
      fs::remove(paths.store);
    }
  } else {
    // No shipped model: the random-discriminator baseline needs only the architecture, which the
    // default training configuration describes.
    result.notes.push_back({"warning", "the demo model is not installed (" + model.string() +
                                           "); embedding with the random-d baseline (same architecture, random "
                                           "weights) instead"});
    if (!fs::exists(paths.bootstrapRun / "config.json")) {
      fs::create_directories(paths.bootstrapRun);
      model::RunDirectory(paths.bootstrapRun).writeConfig(model::TrainingConfig{});
    }
    embed.checkpoint = paths.bootstrapRun.string();
    embed.embedder = "random-d";
    embed.seed = 1;
    result.store = paths.fallbackStore;
    result.checkpoint = paths.bootstrapRun.string();
  }
  result.embedder = embed.embedder;
  embed.out = result.store;
  if (!fs::exists(result.store)) {
    runEmbedding(embed, context);
    result.embedded = true;
  }

  // The intensity-and-texture baseline beside it, so the panels can compare.
  const auto embeddings = analysableEmbeddings(result.store);
  if (std::find(embeddings.begin(), embeddings.end(), "intensity") == embeddings.end()) {
    EmbedTaskOptions intensity;
    intensity.data = paths.screen;
    intensity.embedder = "intensity";
    intensity.out = paths.intensityStore;
    context.report(0, 0, "", "the intensity baseline, for comparison");
    if (!fs::exists(intensity.out)) runEmbedding(intensity, context);
    importEmbedding(result.store, "intensity", intensity.out);
    result.importedIntensity = true;
  }
  return result;
}

}  // namespace gandl::pipeline
