#include "core/data/intensity_features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace gandl::data {
namespace {

constexpr std::array<const char*, kIntensityFeaturesPerChannel> kNames = {"mean",
                                                                          "sd",
                                                                          "p05",
                                                                          "p50",
                                                                          "p95",
                                                                          "p99",
                                                                          "foreground_fraction",
                                                                          "foreground_mean",
                                                                          "objects",
                                                                          "object_area",
                                                                          "gradient",
                                                                          "laplacian_var",
                                                                          "glcm_contrast",
                                                                          "glcm_homogeneity"};

constexpr int kGlcmLevels = 16;
constexpr int kMinObjectArea = 4;

// Percentiles of values in [0, 1] from a 4096-bin histogram (exact to 1/4096, O(n)).
std::array<float, 4> percentiles(const cv::Mat& unit) {
  constexpr int kBins = 4096;
  std::vector<std::size_t> histogram(kBins, 0);
  for (int y = 0; y < unit.rows; ++y) {
    const float* row = unit.ptr<float>(y);
    for (int x = 0; x < unit.cols; ++x)
      ++histogram[static_cast<std::size_t>(std::lround(std::clamp(row[x], 0.f, 1.f) * (kBins - 1)))];
  }
  const double n = static_cast<double>(unit.total());
  const std::array<double, 4> q = {0.05, 0.50, 0.95, 0.99};
  std::array<float, 4> out{};
  std::size_t cumulative = 0;
  int bin = 0;
  for (std::size_t k = 0; k < q.size(); ++k) {
    while (bin < kBins - 1 && static_cast<double>(cumulative + histogram[static_cast<std::size_t>(bin)]) < q[k] * n)
      cumulative += histogram[static_cast<std::size_t>(bin++)];
    out[k] = static_cast<float>(bin) / (kBins - 1);
  }
  return out;
}

// Haralick contrast and homogeneity of the symmetric co-occurrence matrix at distance 1,
// horizontal and vertical neighbours pooled.
std::pair<float, float> glcm(const cv::Mat& unit) {
  std::array<double, static_cast<std::size_t>(kGlcmLevels) * kGlcmLevels> counts{};
  cv::Mat levels(unit.size(), CV_8U);
  for (int y = 0; y < unit.rows; ++y) {
    const float* in = unit.ptr<float>(y);
    auto* out = levels.ptr<std::uint8_t>(y);
    for (int x = 0; x < unit.cols; ++x)
      out[x] = static_cast<std::uint8_t>(
          std::min(kGlcmLevels - 1, static_cast<int>(std::clamp(in[x], 0.f, 1.f) * kGlcmLevels)));
  }
  double total = 0;
  for (int y = 0; y < levels.rows; ++y) {
    const auto* row = levels.ptr<std::uint8_t>(y);
    const auto* below = y + 1 < levels.rows ? levels.ptr<std::uint8_t>(y + 1) : nullptr;
    for (int x = 0; x < levels.cols; ++x) {
      if (x + 1 < levels.cols) {
        counts[row[x] * kGlcmLevels + row[x + 1]] += 1;
        counts[row[x + 1] * kGlcmLevels + row[x]] += 1;
        total += 2;
      }
      if (below) {
        counts[row[x] * kGlcmLevels + below[x]] += 1;
        counts[below[x] * kGlcmLevels + row[x]] += 1;
        total += 2;
      }
    }
  }
  if (total == 0) return {0.f, 1.f};
  double contrast = 0, homogeneity = 0;
  for (int i = 0; i < kGlcmLevels; ++i)
    for (int j = 0; j < kGlcmLevels; ++j) {
      const double p = counts[i * kGlcmLevels + j] / total;
      contrast += p * (i - j) * (i - j);
      homogeneity += p / (1.0 + std::abs(i - j));
    }
  return {static_cast<float>(contrast), static_cast<float>(homogeneity)};
}

void channelFeatures(const cv::Mat& unit, float* out) {
  cv::Scalar mean, sd;
  cv::meanStdDev(unit, mean, sd);
  const auto q = percentiles(unit);

  cv::Mat bytes, mask;
  unit.convertTo(bytes, CV_8U, 255.0);
  cv::threshold(bytes, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const double foreground = cv::countNonZero(mask);
  const double foregroundMean = foreground > 0 ? cv::mean(unit, mask)[0] : 0.0;

  cv::Mat labels, stats, centroids;
  const int components = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  int objects = 0;
  double area = 0;
  for (int k = 1; k < components; ++k) {
    const int a = stats.at<int>(k, cv::CC_STAT_AREA);
    if (a < kMinObjectArea) continue;
    ++objects;
    area += a;
  }

  cv::Mat gx, gy, magnitude, laplacian;
  cv::Sobel(unit, gx, CV_32F, 1, 0, 3);
  cv::Sobel(unit, gy, CV_32F, 0, 1, 3);
  cv::magnitude(gx, gy, magnitude);
  cv::Laplacian(unit, laplacian, CV_32F, 1);
  cv::Scalar lapMean, lapSd;
  cv::meanStdDev(laplacian, lapMean, lapSd);
  const auto [contrast, homogeneity] = glcm(unit);

  const float values[kIntensityFeaturesPerChannel] = {
      static_cast<float>(mean[0]),
      static_cast<float>(sd[0]),
      q[0],
      q[1],
      q[2],
      q[3],
      static_cast<float>(foreground / static_cast<double>(unit.total())),
      static_cast<float>(foregroundMean),
      static_cast<float>(objects),
      static_cast<float>(objects > 0 ? area / objects : 0.0),
      static_cast<float>(cv::mean(magnitude)[0]),
      static_cast<float>(lapSd[0] * lapSd[0]),
      contrast,
      homogeneity};
  std::copy(std::begin(values), std::end(values), out);
}

}  // namespace

std::vector<std::string> intensityFeatureNames(int channels) {
  std::vector<std::string> names;
  for (int c = 1; c <= channels; ++c)
    for (const char* stat : kNames) names.push_back(std::string(stat) + "_w" + std::to_string(c));
  return names;
}

std::vector<float> intensityFeatures(const SiteImage& image) {
  if (image.channels <= 0 || image.height <= 0 || image.width <= 0)
    throw std::invalid_argument("intensity features of an empty image");
  std::vector<float> out(static_cast<std::size_t>(image.channels) * kIntensityFeaturesPerChannel);
  for (int c = 0; c < image.channels; ++c) {
    // [-1, 1] -> [0, 1]; cv::Mat wraps the channel plane without a copy for the first step.
    const cv::Mat plane(image.height, image.width, CV_32F, const_cast<float*>(image.channel(c)));
    cv::Mat unit;
    plane.convertTo(unit, CV_32F, 0.5, 0.5);
    channelFeatures(unit, out.data() + static_cast<std::size_t>(c) * kIntensityFeaturesPerChannel);
  }
  return out;
}

}  // namespace gandl::data
