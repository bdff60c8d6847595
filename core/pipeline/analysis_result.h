#pragma once
// What runAnalysis and runZeroShot compute: classifications, split, projections, curves,
// plate QC, warnings; the ground-truth comparison when the caller adds it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/dose_response.h"
#include "core/analysis/metrics.h"
#include "core/analysis/plate_qc.h"
#include "core/analysis/projection.h"
#include "core/pipeline/ground_truth.h"
#include "core/pipeline/site_table.h"

namespace gandl::pipeline {

struct ClassificationOutcome {
  std::string task;       // controls | cell_type | zeroshot_cell_type
  std::string subset;     // all | <cell type> | controls
  std::string embedding;  // X or the /obsm name (raw; normalized by AnalyzeOptions::normalization)
  int nTrainWells = 0, nTestWells = 0, nTestSites = 0;
  double accuracy = 0.0, balancedAccuracy = 0.0;
  double c = 0.0;                       // chosen by cross-validation
  analysis::ConfusionMatrix confusion;  // held-out sites
};

struct SplitEntry {
  std::string wellId;  // or "experiment/Plate<N>" for the zero-shot split by plate
  std::string task;    // "controls/all", "cell_type/controls", ...
  bool train = true;
};

struct ProjectionOutcome {
  std::string name;                          // E2, C2 or PCA
  std::string positiveLabel, negativeLabel;  // what +1 and -1 mean
  analysis::ProjectionAxes axes;
  analysis::ProjectedScores scores;  // every store row
};

struct CompoundOutcome {
  std::string compound;
  std::string cellType;
  std::vector<std::size_t> rows;  // store rows of its sites
  analysis::CompoundResponse response;
};

struct AnalysisResult {
  std::filesystem::path store;
  std::string embedding;      // the primary one
  std::string normalization;  // none | plate | robust | tvn
  std::uint64_t seed = 0;
  SiteTable sites;
  std::vector<ClassificationOutcome> classifications;  // primary embedding first
  std::vector<SplitEntry> split;
  std::optional<ProjectionOutcome> e2, c2;
  std::optional<ProjectionOutcome> pca;              // browse mode (no controls): PC1 / PC2 of every site
  std::vector<CompoundOutcome> compounds;            // in hit-rank order
  std::vector<analysis::PlateQuality> plateQuality;  // plate = index into sites.plateNames
  std::vector<std::string> warnings;                 // what could not be computed and why
  std::optional<GroundTruthComparison> groundTruth;  // set by the caller (synthetic screens)
  // Embedding name (X, an /obsm entry) -> what it is in words ("GAN-DL FC-512 (demo, step
  // 5000)", "intensity statistics"): for every embedding the result names.
  std::map<std::string, std::string> embeddingLabels;
  double seconds = 0.0;
};

}  // namespace gandl::pipeline
