#pragma once
// The intensity-and-texture baseline embedder: classical per-channel image statistics of a site,
// the kind of features CellProfiler-style pipelines compute, so GAN-DL's numbers can be compared
// against what a biologist would get without any learning. Computed on the site at its native
// resolution (no resize), per channel c, on values mapped to [0, 1]:
//   mean, sd, p05, p50, p95, p99          intensity distribution
//   foreground_fraction, foreground_mean  Otsu mask: stained area and its brightness
//   objects, object_area                  connected components of the mask (>= 4 px): e.g. nuclei
//                                         count on the Hoechst channel, their mean area (px)
//   gradient                              mean Sobel gradient magnitude (edges)
//   laplacian_var                         variance of the Laplacian (fine texture, focus)
//   glcm_contrast, glcm_homogeneity       grey-level co-occurrence (16 levels, distance 1,
//                                         horizontal + vertical), Haralick's texture measures
// 14 features per channel, 70 for the five stains; deterministic and thread-safe.

#include <string>
#include <vector>

#include "core/data/site_loader.h"

namespace gandl::data {

inline constexpr int kIntensityFeaturesPerChannel = 14;

// "<stat>_w<k>" for channel k = 1..channels, channel-major (all of channel 1's first).
std::vector<std::string> intensityFeatureNames(int channels);

// channels * kIntensityFeaturesPerChannel values. Throws std::invalid_argument for an empty image.
std::vector<float> intensityFeatures(const SiteImage& image);

}  // namespace gandl::data
