#pragma once
// Column statistics over a subset of the rows of a FeatureMatrix, accumulated in double: the
// shared arithmetic of normalization, SVM standardization and the projections' PCA.

#include <vector>

#include "core/analysis/feature_matrix.h"
#include "core/tasks/progress.h"

namespace gandl::analysis {

using RowIndices = std::vector<Eigen::Index>;

// Mean of the listed rows; rows must not be empty.
Eigen::RowVectorXd meanOfRows(const FeatureMatrix& x, const RowIndices& rows);
// Sample sd (n - 1) of the listed rows around `centre`; at least two rows.
Eigen::RowVectorXd sdOfRows(const FeatureMatrix& x, const RowIndices& rows, const Eigen::RowVectorXd& centre);
// Sample covariance (n - 1) of the listed rows around `centre`, accumulated over blocks of rows
// (cancellation checked per block); at least two rows.
Eigen::MatrixXd covarianceOfRows(const FeatureMatrix& x, const RowIndices& rows, const Eigen::RowVectorXd& centre,
                                 const tasks::TaskContext& context = {});

}  // namespace gandl::analysis
