#pragma once
// `gandl-workbench --demo`: pipeline::prepareDemo (core/pipeline/demo.h, the same chain as
// `gandl demo` and scripts/run) in the background, then the store opened and analysed.

#include <QString>

#include "core/pipeline/demo.h"

namespace gandl::ui {

class BackgroundTask;
class Workspace;

// Under `dataDir` (default: QStandardPaths::AppLocalDataLocation/demo).
pipeline::DemoPaths demoPaths(const QString& dataDir = {});

// Starts the chain; the returned task is the first step (screen + embedding); the analysis
// follows as its own task when that succeeded.
BackgroundTask* runDemo(Workspace& workspace, const pipeline::DemoPaths& paths);

}  // namespace gandl::ui
