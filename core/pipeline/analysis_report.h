#pragma once
// The analysis as files: the CSVs and summary.json of `gandl analyze`, and each table alone for
// the GUI's per-panel CSV exports.

#include <filesystem>
#include <string>
#include <vector>

#include "core/pipeline/analysis_result.h"

namespace gandl::pipeline {

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
// The same for the compounds at these indices of result.compounds, in this order (what a filtered,
// sorted compound table shows): every number at full precision, one per column.
std::string doseFitsCsv(const AnalysisResult& result, const std::vector<std::size_t>& compounds);
std::string plateQcCsv(const AnalysisResult& result);
std::string summaryJson(const AnalysisResult& result);

}  // namespace gandl::pipeline
