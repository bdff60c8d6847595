#pragma once
// `gandl analyze` and `gandl zeroshot` as core tasks the CLI and the GUI both run: an embedding
// store -> per-plate normalization -> well-grouped linear SVMs (Table 1 of the paper) -> E2 / C2
// projections -> per-compound dose-response -> plate QC. runAnalysis() computes everything in
// memory (analysis_result.h; the GUI shows it); writeAnalysisReport() (analysis_report.h) writes
// the CSVs and summary.json (the CLI and the GUI's "Export report"). Every number depends on the store, the options and
// the seed only.
//
// Labels come from the store's /obs `role` column (written by `gandl embed`: positive_control =
// C+ uninfected, negative_control = C- infected and untreated, compound) and `cell_type`.
//
// Tasks (accuracy.csv):
//   controls / all          C+ vs C- on every control site
//   controls / <cell type>  the same within each cell type (only when the store has several)
//   cell_type / controls    cell type vs cell type on the control sites (several cell types)
// Each task splits its wells 75 / 25 stratified by class (split.csv), chooses C by well-grouped
// cross-validation on the training wells and reports held-out accuracy. E2 is built from the
// controls / all SVM, C2 from the cell_type SVM when there are exactly two cell types.
// Dose-response runs per (compound, cell type) on the E2 On score.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/analysis/linear_svm.h"
#include "core/analysis/normalization.h"
#include "core/pipeline/analysis_result.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct AnalyzeOptions {
  std::filesystem::path embeddings;  // the .h5ad store
  // The embedding the projections and dose-response use: "" or "X" = /X, else an /obsm name.
  std::string embedding;
  // Further embeddings for the accuracy table: an /obsm name, or NAME=FILE.h5ad (a store of the
  // same sites, matched by site_id, imported into /obsm/NAME when writeToStore).
  std::vector<std::string> compare;
  analysis::NormalizationOptions normalization;
  double trainFraction = 0.75;
  std::uint64_t seed = 0;
  analysis::LinearSvmOptions svm;
  std::vector<double> cGrid = {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0};
  int folds = 5;
  analysis::DoseResponseOptions doseResponse;
  double zPrimeThreshold = 0.5;
  // Write the normalized matrices to /obsm/<embedding>_<method> (and imported comparisons).
  bool writeToStore = true;
  unsigned threads = 0;  // dose-response fits; 0 = every core
};

AnalysisResult runAnalysis(const AnalyzeOptions& options, const tasks::TaskContext& context = {});

// Zero-shot cell types (RxRx1): a 4-class one-vs-rest SVM on embeddings of a model trained on
// another screen, split by plate (every site of a plate on one side), all sites used.
struct ZeroShotOptions {
  std::filesystem::path embeddings;
  std::string embedding;
  analysis::NormalizationOptions normalization{analysis::NormalizationMethod::None};
  double trainFraction = 0.75;
  std::uint64_t seed = 0;
  analysis::LinearSvmOptions svm;
  std::vector<double> cGrid = {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0};
  int folds = 3;
};
AnalysisResult runZeroShot(const ZeroShotOptions& options, const tasks::TaskContext& context = {});

// True when the store's obs role marks at least one C+ or C- site (runAnalysis needs both kinds).
bool storeHasControls(const std::filesystem::path& store);

// A screen without controls (a real RxRx1 slice, a screen before its layout is known), to browse:
// the site table, the first two principal components of every site (result.pca; plates
// normalized on all their sites when options.normalization asks), and the zero-shot cell-type
// classification when the store has two or more cell types and enough plates (a warning says why
// not otherwise). No E2/C2, no control classification, no dose-response.
AnalysisResult runBrowse(const ZeroShotOptions& options, const tasks::TaskContext& context = {});

}  // namespace gandl::pipeline
