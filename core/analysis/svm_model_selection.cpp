#include "core/analysis/svm_model_selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "core/analysis/metrics.h"
#include "core/analysis/well_split.h"

namespace gandl::analysis {

namespace {

// The fewest wells any class has among the rows.
std::size_t fewestWellsPerClass(const std::vector<int>& labels, const std::vector<int>& wells) {
  std::map<int, std::set<int>> wellsOfClass;
  for (std::size_t i = 0; i < labels.size(); ++i) wellsOfClass[labels[i]].insert(wells[i]);
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (const auto& [label, set] : wellsOfClass) fewest = std::min(fewest, set.size());
  return wellsOfClass.empty() ? 0 : fewest;
}

}  // namespace

CGridSearchResult selectC(const FeatureMatrix& x, const std::vector<int>& labels, const std::vector<int>& wellOfRow,
                          const std::vector<Eigen::Index>& trainingRows, const LinearSvmOptions& options,
                          const CGridSearchOptions& search, const tasks::TaskContext& context) {
  const auto n = static_cast<std::size_t>(x.rows());
  if (labels.size() != n || wellOfRow.size() != n)
    throw std::invalid_argument("selectC: X has " + std::to_string(n) + " rows, labels " +
                                std::to_string(labels.size()) + ", well ids " + std::to_string(wellOfRow.size()));
  if (search.cGrid.empty()) throw std::invalid_argument("selectC: empty C grid");
  std::vector<int> subsetLabels, subsetWells;
  for (Eigen::Index r : trainingRows) {
    subsetLabels.push_back(labels.at(static_cast<std::size_t>(r)));
    subsetWells.push_back(wellOfRow.at(static_cast<std::size_t>(r)));
  }
  const std::size_t fewest = fewestWellsPerClass(subsetLabels, subsetWells);
  if (fewest < 2)
    throw std::invalid_argument("selectC: a class has " + std::to_string(fewest) +
                                " well(s) among the training rows; grouped cross-validation "
                                "needs at least 2 per class");
  CGridSearchResult result;
  result.folds = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(search.folds), fewest));
  result.cGrid = search.cGrid;
  result.meanBalancedAccuracy.assign(search.cGrid.size(), 0.0);
  const std::vector<int> foldOfRow = groupedFolds(subsetWells, subsetLabels, result.folds, search.seed);

  const auto fitsPerFold = static_cast<std::int64_t>(search.cGrid.size());
  const auto totalFits = fitsPerFold * result.folds;
  for (int fold = 0; fold < result.folds; ++fold) {
    context.checkCancelled();
    std::vector<Eigen::Index> fitRows, validationRows;
    std::vector<int> validationLabels;
    for (std::size_t i = 0; i < trainingRows.size(); ++i) {
      if (foldOfRow[i] == fold) {
        validationRows.push_back(trainingRows[i]);
        validationLabels.push_back(subsetLabels[i]);
      } else {
        fitRows.push_back(trainingRows[i]);
      }
    }
    // Progress over the whole search; the outer cancel is honoured after every fit too, because
    // the forwarding callback checks it.
    const tasks::TaskContext foldContext(
        [&](const tasks::ProgressUpdate& update) {
          context.checkCancelled();
          const std::int64_t within = update.total > 0 ? update.done * fitsPerFold / update.total : 0;
          context.report(fold * fitsPerFold + within, totalFits, "fits", "C search, fold " + std::to_string(fold + 1));
        },
        nullptr);
    const std::vector<LinearSvm> models = LinearSvm::fitPath(x, labels, fitRows, search.cGrid, options, foldContext);
    const FeatureMatrix validation = x(validationRows, Eigen::all);
    for (std::size_t k = 0; k < models.size(); ++k)
      result.meanBalancedAccuracy[k] +=
          balancedAccuracy(validationLabels, models[k].predict(validation)) / result.folds;
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < result.cGrid.size(); ++k) {
    const double score = result.meanBalancedAccuracy[k];
    const double bestScore = result.meanBalancedAccuracy[best];
    if (score > bestScore + 1e-12 || (std::abs(score - bestScore) <= 1e-12 && result.cGrid[k] < result.cGrid[best]))
      best = k;
  }
  result.bestC = result.cGrid[best];
  return result;
}

LinearSvm fitWithCrossValidatedC(const FeatureMatrix& x, const std::vector<int>& labels,
                                 const std::vector<int>& wellOfRow, const std::vector<Eigen::Index>& trainingRows,
                                 const LinearSvmOptions& options, const CGridSearchOptions& search,
                                 const tasks::TaskContext& context, CGridSearchResult* selection) {
  const CGridSearchResult result = selectC(x, labels, wellOfRow, trainingRows, options, search, context);
  if (selection) *selection = result;
  context.checkCancelled();
  LinearSvmOptions chosen = options;
  chosen.c = result.bestC;
  LinearSvm model(chosen);
  model.fit(x, labels, trainingRows, context);
  return model;
}

}  // namespace gandl::analysis
