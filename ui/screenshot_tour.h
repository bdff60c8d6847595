#pragma once
// The user guide's pictures: once the window shows an analysis, each dock and the whole window
// are saved as PNGs in `dir` (demo_<dock>.png, demo_workbench.png), then the heatmap's all-plates
// view (by cell count where the store has one) and, where the store has a second embedding, the
// dose-response comparison; then the application quits. gandl-workbench does this when
// GANDL_SCREENSHOT_DIR is set.

#include <QString>

namespace gandl::ui {

class MainWindow;

void takeScreenshotsOnceAnalysed(MainWindow& window, const QString& dir);

}  // namespace gandl::ui
