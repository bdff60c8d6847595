#include "core/pipeline/embedding_comparison.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "core/data/csv.h"
#include "core/pipeline/store_embeddings.h"

namespace gandl::pipeline {

namespace {

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return {};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string labelOf(const AnalysisResult& primary, const std::string& embedding) {
  const auto it = primary.embeddingLabels.find(embedding);
  return it == primary.embeddingLabels.end() ? embedding : it->second;
}

// "NAME=FILE" -> {NAME, FILE}; "NAME" -> {NAME, ""}.
std::pair<std::string, std::filesystem::path> parseCompare(const std::string& spec) {
  const auto equals = spec.find('=');
  if (equals == std::string::npos) return {spec, {}};
  return {spec.substr(0, equals), spec.substr(equals + 1)};
}

}  // namespace

std::vector<EmbeddingScore> scoreEmbeddings(const AnalyzeOptions& options, const AnalysisResult& primary,
                                            const std::optional<std::filesystem::path>& truth,
                                            const tasks::TaskContext& context) {
  std::vector<EmbeddingScore> scores;
  EmbeddingScore first;
  first.embedding = primary.embedding;
  first.label = labelOf(primary, primary.embedding);
  first.compounds = primary.compounds.size();
  if (truth) first.truth = primary.groundTruth ? *primary.groundTruth : compareWithGroundTruth(primary, *truth);
  scores.push_back(std::move(first));
  const auto total = static_cast<std::int64_t>(options.compare.size());
  std::int64_t done = 0;
  for (const auto& spec : options.compare) {
    context.checkCancelled();
    const auto [name, file] = parseCompare(spec);
    context.report(done, total, "embeddings", "analysing " + name + " on its own");
    AnalyzeOptions own = options;
    own.compare.clear();
    own.writeToStore = false;
    if (file.empty()) {
      own.embedding = name;  // an /obsm entry of the store
    } else {
      own.embeddings = file;  // the compared store's own /X
      own.embedding.clear();
    }
    const AnalysisResult result = runAnalysis(own, {});
    EmbeddingScore score;
    score.embedding = name;
    score.label = labelOf(primary, name);
    // A compared store that was not imported (--no-store-write) is described by its own provenance.
    if (score.label == name && !file.empty()) score.label = embeddingLabel(file, "X");
    score.compounds = result.compounds.size();
    if (truth) score.truth = compareWithGroundTruth(result, *truth);
    scores.push_back(std::move(score));
    ++done;
  }
  context.report(done, total, "embeddings", "embeddings compared");
  return scores;
}

std::string comparisonCsv(const AnalysisResult& primary, const std::vector<EmbeddingScore>& scores) {
  std::string out = data::csvRow({"embedding", "label", "task", "subset", "n_test_sites", "accuracy",
                                  "balanced_accuracy", "active_curves", "ec50_within_0_3_log10",
                                  "median_abs_log10_error", "inactive_curves", "inactive_called_inactive"});
  for (const auto& score : scores)
    for (const auto& c : primary.classifications) {
      if (c.embedding != score.embedding) continue;
      std::vector<std::string> row{score.embedding,
                                   score.label,
                                   c.task,
                                   c.subset,
                                   std::to_string(c.nTestSites),
                                   fixed(c.accuracy, 4),
                                   fixed(c.balancedAccuracy, 4)};
      if (score.truth) {
        const auto& t = *score.truth;
        row.insert(row.end(),
                   {std::to_string(t.activeCurves), std::to_string(t.activeWithin03), fixed(t.medianAbsLog10Error, 3),
                    std::to_string(t.inactiveCurves), std::to_string(t.inactiveCalledInactive)});
      } else {
        row.insert(row.end(), 5, std::string());
      }
      out += data::csvRow(row);
    }
  return out;
}

std::string comparisonMarkdown(const AnalysisResult& primary, const std::vector<EmbeddingScore>& scores) {
  // Columns: every (task, subset) of the primary embedding, in the analysis's order.
  std::vector<std::pair<std::string, std::string>> columns;
  std::map<std::pair<std::string, std::string>, int> testSites;
  for (const auto& c : primary.classifications)
    if (c.embedding == primary.embedding) {
      columns.emplace_back(c.task, c.subset);
      testSites[{c.task, c.subset}] = c.nTestSites;
    }
  const bool truth = !scores.empty() && scores.front().truth.has_value();
  auto taskName = [](const std::string& task) { return task == "controls" ? std::string("C+ vs C-") : task; };
  std::string out = "| embedding |";
  std::string rule = "|---|";
  for (const auto& [task, subset] : columns) {
    out += " " + taskName(task) + ", " + subset + " (" + std::to_string(testSites[{task, subset}]) + " sites) |";
    rule += "---|";
  }
  if (truth) {
    out += " EC50 within 0.3 log10 | median abs log10 EC50 error | inactive called inactive |";
    rule += "---|---|---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& score : scores) {
    out += "| " + score.label + (score.label == score.embedding ? "" : " [" + score.embedding + "]") + " |";
    for (const auto& [task, subset] : columns) {
      std::string cell = "n/a";
      for (const auto& c : primary.classifications)
        if (c.embedding == score.embedding && c.task == task && c.subset == subset) cell = fixed(c.balancedAccuracy, 3);
      out += " " + cell + " |";
    }
    if (truth) {
      if (score.truth) {
        const auto& t = *score.truth;
        out += " " + std::to_string(t.activeWithin03) + " / " + std::to_string(t.activeCurves) + " | " +
               fixed(t.medianAbsLog10Error, 2) + " | " + std::to_string(t.inactiveCalledInactive) + " / " +
               std::to_string(t.inactiveCurves) + " |";
      } else {
        out += " | | |";
      }
    }
    out += "\n";
  }
  out +=
      "\nBalanced accuracy on held-out wells (the same wells for every embedding; chance 0.5 for two "
      "classes)";
  if (truth) out += "; EC50 and inactive calls against " + scores.front().truth->file.filename().string();
  out += ".\n";
  return out;
}

}  // namespace gandl::pipeline
