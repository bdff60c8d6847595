#pragma once
// The matrix type every analysis takes: row-major float, one row per site, one column per feature.
// It is the layout of the embedding store's /X (store::RowMatrix is the same type), so matrices
// read from a store reach the analyses without a copy. Statistics are accumulated in double.

#include <Eigen/Core>

namespace gandl::analysis {

using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace gandl::analysis
