#pragma once
// Per-plate normalization of embeddings on control wells. Plate effects (staining, focus,
// seeding) shift and stretch every feature; controls sit on every plate, so their statistics
// per plate give a reference that is independent of the compounds tested on it.
//
//   None            a copy of X.
//   PlateCentreScale x' = (x - mean_{C,p}) / (sd_{C,p} + eps), per plate p on its control rows
//                   (sample sd, n - 1).
//   PlateRobust     x' = (x - median_{C,p}) / (1.4826 * MAD_{C,p} + eps).
//   Tvn             typical variation normalization (Ando et al. 2017): PCA on the control rows
//                   of all plates, whitening x' = L^(-1/2) V^T (x - mean_C) with eigenvalue
//                   floor L + tvnEigenvalueEpsilon; optionally after PlateCentreScale. The
//                   controls' covariance (n - 1) becomes the identity up to that floor. With
//                   fewer control rows than features the null directions are amplified by
//                   1 / sqrt(epsilon): give TVN at least as many control rows as features.
//
// The result is a new matrix: the raw embedding is never overwritten (the store keeps it as /X
// and normalized copies in /obsm). Plates are integer ids (the caller maps experiment + plate
// to ids). A plate with fewer than two control rows cannot be normalized on its controls:
// std::invalid_argument names the plate and its count.

#include <string>
#include <vector>

#include "core/analysis/feature_matrix.h"
#include "core/tasks/progress.h"

namespace gandl::analysis {

enum class NormalizationMethod { None, PlateCentreScale, PlateRobust, Tvn };

// "none", "plate", "robust", "tvn" (the CLI's --normalize values); throws for anything else.
NormalizationMethod parseNormalizationMethod(const std::string& name);
std::string normalizationMethodName(NormalizationMethod method);

struct NormalizationOptions {
  NormalizationMethod method = NormalizationMethod::PlateCentreScale;
  // Added to sd (or 1.4826 * MAD) so a feature that is constant on a plate's controls is
  // centred without dividing by zero.
  double spreadEpsilon = 1e-6;
  double tvnEigenvalueEpsilon = 1e-5;
  bool tvnAfterPlateCentreScale = false;
};

// X: n x d; plateOfRow and isControl: n entries each. Reports progress per plate and checks
// cancellation per plate (and per block of rows for TVN).
FeatureMatrix normalize(const FeatureMatrix& x, const std::vector<int>& plateOfRow, const std::vector<bool>& isControl,
                        const NormalizationOptions& options = {}, const tasks::TaskContext& context = {});

}  // namespace gandl::analysis
