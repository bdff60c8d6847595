#pragma once
// `gandl-workbench --demo`: the demo synthetic screen (preset demo, seed 1) in the per-user data
// folder if absent, embedded with the shipped demo checkpoint (or, when that is not installed, the
// random-discriminator baseline, which the log says), then analysed, all in the background.

#include <QString>
#include <filesystem>

namespace gandl::ui {

class BackgroundTask;
class Workspace;

struct DemoPaths {
  std::filesystem::path root, screen, store, bootstrapRun;
};
// Under `dataDir` (default: QStandardPaths::AppLocalDataLocation/demo).
DemoPaths demoPaths(const QString& dataDir = {});

// Starts the chain; the returned task is the first step (screen + embedding); the analysis
// follows as its own task when that succeeded.
BackgroundTask* runDemo(Workspace& workspace, const DemoPaths& paths);

}  // namespace gandl::ui
