#pragma once
// The demo, one policy for every face of it (`gandl demo`, scripts/run, `gandl-workbench
// --demo`): the demo screen (preset small, seed 1: the scale the shipped model was trained at)
// in a folder, embedded with the shipped demo model (or, when that is not installed, with the
// random-discriminator baseline, which a note says), the intensity baseline imported beside it
// for comparison. Re-running reuses what is there; the store is embedded again only when it was
// made by another model than the one installed now (its checkpoint hash differs).

#include <filesystem>
#include <string>
#include <vector>

#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct DemoPaths {
  std::filesystem::path root;
  std::filesystem::path screen;          // root/screen
  std::filesystem::path store;           // root/demo.h5ad (the shipped model's embedding)
  std::filesystem::path fallbackStore;   // root/demo-random-d.h5ad (no shipped model installed)
  std::filesystem::path intensityStore;  // root/demo-intensity.h5ad (imported into the store)
  std::filesystem::path bootstrapRun;    // root/random-d-architecture (the fallback's config.json)
};
DemoPaths demoPaths(const std::filesystem::path& root);

struct DemoNote {
  std::string level;  // info | warning
  std::string text;
};

struct DemoResult {
  DemoPaths paths;
  std::filesystem::path store;  // the store to open: paths.store, or paths.fallbackStore
  std::string checkpoint;       // "demo", or the fallback's architecture run folder
  std::string embedder;         // gandl | random-d
  bool wroteScreen = false, embedded = false, importedIntensity = false;
  std::vector<DemoNote> notes;
};

struct DemoOptions {
  std::filesystem::path root;
  std::string device = "auto";
  std::string model = "demo";  // the model to embed with (tests point it elsewhere)
};

// Runs (or completes) the chain: screen, embedding, intensity baseline. Reports progress and can
// be cancelled; an interrupted embedding resumes on the next call.
DemoResult prepareDemo(const DemoOptions& options, const tasks::TaskContext& context = {});

}  // namespace gandl::pipeline
