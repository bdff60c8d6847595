#pragma once
// A workbench project as JSON: the screen folder, the store, the checkpoint, the analysis
// settings and the view state (open panels, scatter space and colouring, plate, window layout).
// Paths are stored as given; a project whose files moved loads, and the window reports which
// path is missing.
//
// {"format": "gandl-workbench-project", "version": 1, "screen": "...", "store": "...",
//  "checkpoint": "demo", "analysis": {"normalization": "plate", "embedding": "", "compare": "", "plateaus":
//  "anchored", "seed": 0},
//  "view": {"panels": [...], "space": "E2", "colour_by": "condition", "plate": 0, "all_plates": false, "layout":
//  "<base64>"}}

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "ui/workspace.h"

namespace gandl::ui {

struct Project {
  QString screen, store, checkpoint = QStringLiteral("demo");
  AnalysisSettings analysis;
  QStringList openPanels;
  QString space = QStringLiteral("E2"), colourBy = QStringLiteral("condition");
  int plate = 0;
  bool allPlates = false;  // the heatmap's all-plates view
  QByteArray windowState;

  // Paths named by the project that do not exist, one line each ("store: /x/y.h5ad").
  QStringList missingPaths() const;
};

// Throws std::runtime_error naming the file and the problem (unreadable, not JSON, wrong format,
// a field of the wrong type).
Project readProject(const QString& path);
void writeProject(const Project& project, const QString& path);  // atomic

}  // namespace gandl::ui
