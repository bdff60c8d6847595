#pragma once
// Choosing the SVM's C by cross-validation that respects wells: the folds are made of whole wells
// (stratified by class), built on the training rows only, so neither a test well nor a sibling
// site of a validation row ever informs the choice. The score is balanced accuracy (mean recall
// over classes), which matches the balanced class weights: plain accuracy would reward predicting
// the majority class. Ties go to the smaller C (the more regularized model).

#include <cstdint>
#include <vector>

#include "core/analysis/linear_svm.h"

namespace gandl::analysis {

struct CGridSearchOptions {
  std::vector<double> cGrid = {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0};
  int folds = 5;  // lowered to the smallest number of wells of a class when that is smaller
  std::uint64_t seed = 0;
};

struct CGridSearchResult {
  double bestC = 0.0;
  int folds = 0;
  std::vector<double> cGrid;
  std::vector<double> meanBalancedAccuracy;  // per grid entry, mean over folds
};

// labels and wellOfRow: one per row of x; trainingRows: the rows the search may use. Throws when
// a class has fewer than two wells among them. Checks cancellation per fit and per fold.
CGridSearchResult selectC(const FeatureMatrix& x, const std::vector<int>& labels, const std::vector<int>& wellOfRow,
                          const std::vector<Eigen::Index>& trainingRows, const LinearSvmOptions& options,
                          const CGridSearchOptions& search = {}, const tasks::TaskContext& context = {});

// selectC, then one fit on all trainingRows with the chosen C. `selection` receives the search
// when given.
LinearSvm fitWithCrossValidatedC(const FeatureMatrix& x, const std::vector<int>& labels,
                                 const std::vector<int>& wellOfRow, const std::vector<Eigen::Index>& trainingRows,
                                 const LinearSvmOptions& options, const CGridSearchOptions& search = {},
                                 const tasks::TaskContext& context = {}, CGridSearchResult* selection = nullptr);

}  // namespace gandl::analysis
