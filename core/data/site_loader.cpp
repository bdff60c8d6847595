#include "core/data/site_loader.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/data_error.h"

namespace gandl::data {
namespace {

cv::Mat decode(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) throw DataError(file.string(), "not found");
  cv::Mat image;
  try {
    image = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw DataError(file.string(), std::string("cannot decode image: ") + e.what());
  }
  if (image.empty()) throw DataError(file.string(), "cannot decode as an image (corrupt or truncated?)");
  if (image.channels() != 1)
    throw DataError(file.string(), 0, "", std::to_string(image.channels()) + " colour channels",
                    "a single-channel grayscale image");
  if (image.depth() != CV_8U && image.depth() != CV_16U)
    throw DataError(file.string(), 0, "", "pixel depth code " + std::to_string(image.depth()),
                    "an 8-bit or 16-bit image");
  return image;
}

// Decodes every channel and converts it to [-1, 1] floats at native size.
std::vector<cv::Mat> decodeSite(const Site& site, int& bitDepth) {
  if (!site.complete()) throw DataError(site.site_id, "incomplete site: " + site.incomplete_reason);
  std::vector<cv::Mat> channels;
  channels.reserve(site.channel_files.size());
  for (const auto& file : site.channel_files) {
    cv::Mat raw = decode(file);
    if (!channels.empty() && raw.size() != channels.front().size())
      throw DataError(file.string(), 0, "", std::to_string(raw.cols) + "x" + std::to_string(raw.rows) + " pixels",
                      std::to_string(channels.front().cols) + "x" + std::to_string(channels.front().rows) + " like " +
                          site.channel_files.front().filename().string() + " (every channel of a site has one size)");
    const bool wide = raw.depth() == CV_16U;
    bitDepth = wide ? 16 : 8;
    const double half = wide ? 32767.5 : 127.5;
    cv::Mat scaled;
    raw.convertTo(scaled, CV_32F, 1.0 / half, -1.0);
    channels.push_back(std::move(scaled));
  }
  return channels;
}

SiteImage pack(const std::vector<cv::Mat>& channels, const cv::Rect& region, int size, int bitDepth) {
  SiteImage image;
  image.channels = static_cast<int>(channels.size());
  image.height = size > 0 ? size : region.height;
  image.width = size > 0 ? size : region.width;
  image.bit_depth = bitDepth;
  image.pixels.resize(static_cast<std::size_t>(image.channels) * image.height * image.width);
  for (int c = 0; c < image.channels; ++c) {
    cv::Mat target(image.height, image.width, CV_32F, image.channel(c));
    const cv::Mat source = channels[c](region);
    if (source.rows == image.height && source.cols == image.width)
      source.copyTo(target);
    else
      cv::resize(source, target, target.size(), 0, 0, cv::INTER_AREA);
    // resize may reallocate when given a view; make sure the pixels ended up in our buffer
    CV_Assert(target.data == reinterpret_cast<uchar*>(image.channel(c)));
  }
  return image;
}

}  // namespace

RawChannel readChannel(const std::filesystem::path& file) {
  const cv::Mat image = decode(file);
  RawChannel channel;
  channel.height = image.rows;
  channel.width = image.cols;
  channel.bit_depth = image.depth() == CV_16U ? 16 : 8;
  cv::Mat wide;
  image.convertTo(wide, CV_16U);
  channel.values.assign(wide.begin<std::uint16_t>(), wide.end<std::uint16_t>());
  return channel;
}

SiteImage loadSiteImage(const Site& site, int resolution) {
  int bitDepth = 8;
  const auto channels = decodeSite(site, bitDepth);
  const cv::Rect whole(0, 0, channels.front().cols, channels.front().rows);
  return pack(channels, whole, resolution, bitDepth);
}

TileGrid tileGrid(int height, int width, int tile) {
  TileGrid grid;
  if (tile <= 0 || height < tile || width < tile) return grid;
  grid.rows = height / tile;
  grid.columns = width / tile;
  grid.offset_y = (height - grid.rows * tile) / 2;
  grid.offset_x = (width - grid.columns * tile) / 2;
  return grid;
}

std::vector<SiteImage> loadSiteTiles(const Site& site, int tile) {
  int bitDepth = 8;
  const auto channels = decodeSite(site, bitDepth);
  const int height = channels.front().rows;
  const int width = channels.front().cols;
  std::vector<SiteImage> tiles;
  if (height < tile || width < tile) {
    tiles.push_back(pack(channels, cv::Rect(0, 0, width, height), tile, bitDepth));
    return tiles;
  }
  const TileGrid grid = tileGrid(height, width, tile);
  for (int r = 0; r < grid.rows; ++r)
    for (int c = 0; c < grid.columns; ++c)
      tiles.push_back(
          pack(channels, cv::Rect(grid.offset_x + c * tile, grid.offset_y + r * tile, tile, tile), 0, bitDepth));
  return tiles;
}

}  // namespace gandl::data
