#pragma once
// A synthetic screen's ground truth against an analysis's fitted curves (analyze, demo, GUI).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gandl::pipeline {

struct AnalysisResult;

// A synthetic screen's ground_truth.csv (compound, active, ec50_uM, hill_slope, toxic) against
// the fitted curves: how close the EC50s are and whether inactive compounds are called inactive.
struct GroundTruthRow {
  std::string compound, cellType;
  bool active = false, toxic = false;
  double trueEc50Micromolar = 0.0;  // NaN for inactive compounds
  std::string status;               // the fitted status
  double ec50Micromolar = 0.0;      // NaN without a fit
  double log10Error = 0.0;          // log10(fitted / true) for active compounds with an EC50
  bool flaggedToxic = false;        // the analysis found a toxic dose (status cytotoxic or a toxic flag)
};
struct GroundTruthComparison {
  std::filesystem::path file;
  std::vector<GroundTruthRow> rows;
  int activeCurves = 0, activeWithin03 = 0;            // |log10 error| <= 0.3
  int inactiveCurves = 0, inactiveCalledInactive = 0;  // status inactive (cytotoxic when truly toxic)
  double medianAbsLog10Error = 0.0;                    // over active curves with an EC50
  int toxicCurves = 0, toxicFlagged = 0;               // truly toxic curves, and those flagged toxic
  int nontoxicCurves = 0, nontoxicFlagged = 0;         // the others, and those flagged (false alarms)
};

// Throws data::DataError naming the file, line and value for a malformed ground truth, or a
// compound of the analysis it does not list.
GroundTruthComparison compareWithGroundTruth(const AnalysisResult& result, const std::filesystem::path& file);
// The screen's ground_truth.csv when the store's provenance names a screen that has one.
std::optional<std::filesystem::path> findGroundTruth(const std::filesystem::path& store);
std::string groundTruthCsv(const GroundTruthComparison& comparison);

}  // namespace gandl::pipeline
