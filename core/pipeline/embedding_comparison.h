#pragma once
// One Table-1 comparison across every embedding of an analysis (GAN-DL, the baselines, plugins,
// imported ones): each embedding's held-out accuracies (already in the primary analysis, on the
// same wells) beside its dose-response figures against the screen's ground truth, which need each
// embedding analysed on its own (its own E2 axis, its own curves). Written by `gandl analyze` as
// comparison.csv and comparison.md whenever it compares embeddings.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/pipeline/analysis_result.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/ground_truth.h"
#include "core/tasks/progress.h"

namespace gandl::pipeline {

struct EmbeddingScore {
  std::string embedding;                       // as in the accuracy table: X, or the /obsm or --compare name
  std::string label;                           // what it is, e.g. "GAN-DL FC-512 (demo, step 5000)"
  std::optional<GroundTruthComparison> truth;  // EC50 figures, when the screen has a ground truth
  std::size_t compounds = 0;                   // curves fitted
};

// The primary embedding (scored from `primary`) and each of options.compare analysed on its own
// (an /obsm name in the store, or NAME=FILE's store), each scored against `truth` when given.
// Reports progress per embedding; checks for cancel between them.
std::vector<EmbeddingScore> scoreEmbeddings(const AnalyzeOptions& options, const AnalysisResult& primary,
                                            const std::optional<std::filesystem::path>& truth,
                                            const tasks::TaskContext& context = {});

// embedding,label,task,subset,n_test_sites,accuracy,balanced_accuracy, then the ground-truth
// columns (empty without one): active_curves,ec50_within_0_3_log10,median_abs_log10_error,
// inactive_curves,inactive_called_inactive. One row per classification of each embedding.
std::string comparisonCsv(const AnalysisResult& primary, const std::vector<EmbeddingScore>& scores);
// The same as a Markdown table, one row per embedding: balanced accuracy per task and subset
// (with its test sites in the header), then EC50 within 0.3 log10 and inactive called inactive.
std::string comparisonMarkdown(const AnalysisResult& primary, const std::vector<EmbeddingScore>& scores);

}  // namespace gandl::pipeline
