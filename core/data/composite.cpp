#include "core/data/composite.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/atomic_file.h"
#include "core/data/data_error.h"

namespace gandl::data {

std::vector<ChannelStyle> rxrxChannelStyles(const std::vector<int>& channel_map) {
  // rxrx1-utils io.py DEFAULT_CHANNELS / RGB_MAP, indexed by source channel w1..w6.
  static const ChannelStyle kByChannel[6] = {{19, 0, 249, 0, 51, true},  {42, 255, 31, 0, 107, true},
                                             {255, 0, 25, 0, 64, true},  {45, 255, 252, 0, 191, true},
                                             {250, 0, 253, 0, 89, true}, {254, 255, 40, 0, 191, true}};
  std::vector<ChannelStyle> styles;
  styles.reserve(channel_map.size());
  for (int channel : channel_map)
    styles.push_back(channel >= 1 && channel <= 6 ? kByChannel[channel - 1] : ChannelStyle{});
  return styles;
}

void autoContrast(std::vector<ChannelStyle>& styles, const float* chw, int height, int width, float lowPercentile,
                  float highPercentile) {
  autoContrastAcross(styles, {{chw, static_cast<std::size_t>(height) * width}}, lowPercentile, highPercentile);
}

void autoContrastAcross(std::vector<ChannelStyle>& styles, const std::vector<ChannelPlanes>& images,
                        float lowPercentile, float highPercentile) {
  std::size_t total = 0;
  for (const auto& image : images) total += image.plane;
  if (total == 0) return;
  std::vector<float> values(total);
  for (std::size_t c = 0; c < styles.size(); ++c) {
    auto out = values.begin();
    for (const auto& image : images)
      out = std::transform(image.chw + c * image.plane, image.chw + (c + 1) * image.plane, out,
                           [](float v) { return (v + 1.0f) * 127.5f; });
    auto at = [&](float percentile) {
      const auto k = static_cast<std::size_t>(percentile / 100.0f * static_cast<float>(total - 1));
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
      return values[k];
    };
    styles[c].low = at(lowPercentile);
    styles[c].high = std::max(at(highPercentile), styles[c].low + 1.0f);
  }
}

std::vector<std::uint8_t> composite(const float* chw, int channels, int height, int width,
                                    const std::vector<ChannelStyle>& styles) {
  const std::size_t plane = static_cast<std::size_t>(height) * width;
  std::vector<float> rgb(plane * 3, 0.0f);
  const int used = std::min<int>(channels, static_cast<int>(styles.size()));
  for (int c = 0; c < used; ++c) {
    const ChannelStyle& s = styles[c];
    if (!s.visible) continue;
    const float scale = 1.0f / std::max(s.high - s.low, 1e-6f);
    const float colour[3] = {s.red / 255.0f, s.green / 255.0f, s.blue / 255.0f};
    const float* values = chw + c * plane;
    for (std::size_t i = 0; i < plane; ++i) {
      const float v = std::clamp(((values[i] + 1.0f) * 127.5f - s.low) * scale, 0.0f, 1.0f);
      rgb[3 * i] += v * colour[0];
      rgb[3 * i + 1] += v * colour[1];
      rgb[3 * i + 2] += v * colour[2];
    }
  }
  std::vector<std::uint8_t> out(plane * 3);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(std::lround(std::clamp(rgb[i], 0.0f, 1.0f) * 255.0f));
  return out;
}

void writeCompositeGrid(const std::filesystem::path& path, const float* nchw, int count, int channels, int height,
                        int width, int columns, const std::vector<ChannelStyle>& styles, int zoom) {
  if (count <= 0) throw DataError(path.string(), "no images to write");
  columns = std::max(1, std::min(columns, count));
  zoom = std::max(1, zoom);
  const int rows = (count + columns - 1) / columns;
  const int gap = 2, cellH = height * zoom, cellW = width * zoom;
  cv::Mat grid(rows * (cellH + gap) + gap, columns * (cellW + gap) + gap, CV_8UC3, cv::Scalar(255, 255, 255));
  const std::size_t imageSize = static_cast<std::size_t>(channels) * height * width;
  for (int i = 0; i < count; ++i) {
    auto rgb = composite(nchw + i * imageSize, channels, height, width, styles);
    cv::Mat image(height, width, CV_8UC3, rgb.data());
    cv::Mat bgr, big;
    cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR);
    cv::resize(bgr, big, {cellW, cellH}, 0, 0, cv::INTER_NEAREST);
    big.copyTo(grid(cv::Rect(gap + (i % columns) * (cellW + gap), gap + (i / columns) * (cellH + gap), cellW, cellH)));
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", grid, png)) throw DataError(path.string(), "PNG encoding failed");
  writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

}  // namespace gandl::data
