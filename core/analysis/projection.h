#pragma once
// The E2 / C2 spaces of GAN-DL: every row placed on two axes built from a binary linear SVM.
//
// On axis: the signed distance to the SVM hyperplane, s = u . x + b / |w| with u = w / |w|, mapped
// affinely so that the median of class +1 rows (C+, or the first cell type) lands on +1 and the
// median of class -1 rows (C-) on -1. Compounds that rescue the phenotype climb toward +1.
// Off axis: the first principal component of what the On axis does not see, the residual
// x - (u . x) u, zero-centred. Its unit vector v is orthogonal to u; off = v . (x - centre).
//
// The off axis is fitted on the control rows (class +1 and -1) by default, not on every row shown
// as the paper does: fitted on controls, the axes are fixed by the assay like the On axis is, so
// a site keeps its coordinates whichever compounds, plates or selections are analysed with it, and
// off-axis shifts (e.g. the cytotoxicity input of the dose-response) are comparable across runs.
// OffAxisFit::AllRows reproduces the paper's figures when that is wanted.

#include <vector>

#include "core/analysis/feature_matrix.h"
#include "core/tasks/progress.h"

namespace gandl::analysis {

enum class OffAxisFit { Controls, AllRows };

struct ProjectionAxes {
  Eigen::VectorXd onAxis;  // u = w / |w|
  double onOffset = 0.0;   // b / |w|
  double onScale = 1.0;    // on = onScale * (u . x + onOffset) + onShift
  double onShift = 0.0;
  Eigen::VectorXd offAxis;  // v, unit, orthogonal to u
  double offShift = 0.0;    // off = v . x + offShift (= -v . centre of the fit rows)
  // Share of the residual variance of the fit rows along v.
  double offExplainedVariance = 0.0;
};

struct ProjectedScores {
  Eigen::VectorXd on;
  Eigen::VectorXd off;
};

// w, b: a binary SVM in the raw feature space (decision = x . w + b, positive for class +1).
// classOfRow: +1, -1, or anything else for rows that are neither (compounds). Throws when |w| = 0,
// a class has no row, or the two class medians coincide.
ProjectionAxes fitProjection(const FeatureMatrix& x, const Eigen::VectorXd& w, double b,
                             const std::vector<int>& classOfRow, OffAxisFit offAxisFit = OffAxisFit::Controls,
                             const tasks::TaskContext& context = {});

ProjectedScores project(const ProjectionAxes& axes, const FeatureMatrix& x);

// The first two principal components of x's rows as a ProjectionAxes (on = PC1, off = PC2, both
// zero-centred, unscaled; offExplainedVariance = PC2's share of the total variance): the space a
// screen without controls is browsed in. Each component's sign makes its largest loading
// positive, so the same data give the same picture. Throws for fewer than 2 rows or 2 columns.
ProjectionAxes fitPrincipalAxes(const FeatureMatrix& x);

}  // namespace gandl::analysis
