#pragma once
// `gandl analyze` and `gandl zeroshot` as core tasks the CLI and the GUI both run: an embedding
// store -> per-plate normalization -> well-grouped linear SVMs (Table 1 of the paper) -> E2 / C2
// projections -> per-compound dose-response -> plate QC. runAnalysis() computes everything in
// memory (the GUI shows it); writeAnalysisReport() writes the CSVs and summary.json (the CLI and
// the GUI's "Export report"). Every number depends on the store, the options and the seed only.
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
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/dose_response.h"
#include "core/analysis/linear_svm.h"
#include "core/analysis/metrics.h"
#include "core/analysis/normalization.h"
#include "core/analysis/plate_qc.h"
#include "core/analysis/projection.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

// The /obs columns the analyses and the panels use, one entry per store row.
struct SiteTable {
  enum class Role { PositiveControl, NegativeControl, Compound, Other };
  std::vector<std::string> siteId, wellId, experiment, well, cellType, diseaseCondition, treatment;
  std::vector<int> plate, site;
  std::vector<double> concentrationMicromolar;  // NaN where none
  std::vector<Role> role;
  // Cells per site, a viability readout (NaN where unknown): the obs column cell_count when the
  // store has one, else the nuclei count (objects_w1: Otsu objects of the Hoechst channel at
  // native resolution) of an intensity embedding in /X or /obsm/intensity. Where it came from:
  std::vector<double> cellCount;
  std::string cellCountSource;  // "" when unknown
  // Plates as "experiment/Plate<N>" in store order, and each row's index into it.
  std::vector<std::string> plateNames;
  std::vector<int> plateOfRow;
  std::size_t size() const { return siteId.size(); }
};

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
  std::string name;                          // E2 or C2
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

// A synthetic screen's ground_truth.csv (compound, active, ec50_uM, hill_slope, toxic) against
// the fitted curves: how close the EC50s are and whether inactive compounds are called inactive.
struct GroundTruthRow {
  std::string compound, cellType;
  bool active = false, toxic = false;
  double trueEc50Micromolar = 0.0;  // NaN for inactive compounds
  std::string status;               // the fitted status
  double ec50Micromolar = 0.0;      // NaN without a fit
  double log10Error = 0.0;          // log10(fitted / true) for active compounds with an EC50
};
struct GroundTruthComparison {
  std::filesystem::path file;
  std::vector<GroundTruthRow> rows;
  int activeCurves = 0, activeWithin03 = 0;  // |log10 error| <= 0.3
  int inactiveCurves = 0, inactiveCalledInactive = 0;
  double medianAbsLog10Error = 0.0;  // over active curves with an EC50
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
  std::vector<CompoundOutcome> compounds;            // in hit-rank order
  std::vector<analysis::PlateQuality> plateQuality;  // plate = index into sites.plateNames
  std::vector<std::string> warnings;                 // what could not be computed and why
  std::optional<GroundTruthComparison> groundTruth;  // set by the caller (synthetic screens)
  double seconds = 0.0;
};

// Reads the store's obs columns. Throws data::DataError for a store without site metadata.
SiteTable readSiteTable(const std::filesystem::path& store);

AnalysisResult runAnalysis(const AnalyzeOptions& options, const tasks::TaskContext& context = {});

// Copies the embedding of another store of the same sites (matched by site_id, any order) into
// /obsm/<name> of `store`, recording where it came from; `analyze --compare NAME=FILE` does the
// same. Throws data::DataError naming `other` when it lacks a site of `store`.
void importEmbedding(const std::filesystem::path& store, const std::string& name, const std::filesystem::path& other);

// The embeddings a store offers for analysis: "X" first, then the /obsm entries that are not
// normalized copies written by an analysis.
std::vector<std::string> analysableEmbeddings(const std::filesystem::path& store);

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

// Throws data::DataError naming the file, line and value for a malformed ground truth, or a
// compound of the analysis it does not list.
GroundTruthComparison compareWithGroundTruth(const AnalysisResult& result, const std::filesystem::path& file);
// The screen's ground_truth.csv when the store's provenance names a screen that has one.
std::optional<std::filesystem::path> findGroundTruth(const std::filesystem::path& store);
std::string groundTruthCsv(const GroundTruthComparison& comparison);

// Writes into `dir` (created when missing), each file atomically: accuracy.csv,
// confusion_<task>[_<subset>].csv, split.csv, and when computed projection_E2.csv,
// projection_C2.csv, dose_response.csv, dose_fits.csv, plate_qc.csv; then summary.json.
// Returns the files written.
std::vector<std::filesystem::path> writeAnalysisReport(const AnalysisResult& result, const std::filesystem::path& dir);

// The individual tables, for the GUI's per-panel CSV exports.
std::string accuracyCsv(const AnalysisResult& result);
std::string confusionCsv(const ClassificationOutcome& outcome);
std::string projectionCsv(const AnalysisResult& result, const ProjectionOutcome& projection);
std::string doseResponseCsv(const AnalysisResult& result);
std::string doseFitsCsv(const AnalysisResult& result);
std::string plateQcCsv(const AnalysisResult& result);
std::string summaryJson(const AnalysisResult& result);

}  // namespace gandl::pipeline
