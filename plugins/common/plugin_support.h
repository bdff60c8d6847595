#pragma once
// Header-only helpers shared by this repository's LibTorch plugins (torchscript, convae): a
// site's stains read with OpenCV into a tensor, and whole-number --param values checked by name.
// Like the plugins, they use nothing of the application but core/pipeline/embedder_plugin.h's
// header-only types; a third-party plugin may copy them.

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <stdexcept>
#include <string>

#include "core/pipeline/embedder_plugin.h"

namespace gandl::plugins {

// A site's first `stains` channels as [stains, size, size] in [0, 1]: each file scaled by its bit
// depth and area-resized. Throws std::runtime_error naming the file that cannot be read.
inline torch::Tensor loadSiteTensor(const data::Site& site, int size, int stains = 5) {
  if (site.channel_files.size() < static_cast<std::size_t>(stains))
    throw std::runtime_error(site.site_id + ": needs " + std::to_string(stains) + " channel files, has " +
                             std::to_string(site.channel_files.size()));
  auto out = torch::empty({stains, size, size});
  for (int c = 0; c < stains; ++c) {
    const cv::Mat raw = cv::imread(site.channel_files[c].string(), cv::IMREAD_UNCHANGED);
    if (raw.empty() || raw.channels() != 1)
      throw std::runtime_error(site.channel_files[c].string() + ": cannot be read as a one-channel image");
    cv::Mat unit, resized;
    raw.convertTo(unit, CV_32F, raw.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);
    cv::resize(unit, resized, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    std::memcpy(out[c].data_ptr<float>(), resized.ptr<float>(), sizeof(float) * size * size);
  }
  return out;
}

// `value` as a whole number in [low, high]; throws std::invalid_argument naming the plugin, the key
// and the value otherwise.
inline int wholeNumberParam(const std::string& plugin, const std::string& key, const std::string& value, int low,
                            int high) {
  std::size_t used = 0;
  int parsed = 0;
  try {
    parsed = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || used == 0 || parsed < low || parsed > high)
    throw std::invalid_argument(plugin + ": " + key + " must be a whole number in [" + std::to_string(low) + ", " +
                                std::to_string(high) + "], got '" + value + "'");
  return parsed;
}

}  // namespace gandl::plugins
