#pragma once
// Decodes a site's five channel files into one float image in [-1, 1], the scaling StyleGAN2
// trains on (8-bit x / 127.5 - 1; 16-bit x / 32767.5 - 1), either area-resized to the model
// resolution or cut into tiles of it.

#include <cstdint>
#include <vector>

#include "core/data/screen.h"

namespace gandl::data {

struct SiteImage {
  int channels = 0;
  int height = 0;
  int width = 0;
  int bit_depth = 8;          // of the source files
  std::vector<float> pixels;  // channel-major [C][H][W], values in [-1, 1]

  float* channel(int c) { return pixels.data() + static_cast<std::size_t>(c) * height * width; }
  const float* channel(int c) const { return pixels.data() + static_cast<std::size_t>(c) * height * width; }
};

// One channel of a site at its native size, values as stored (8- or 16-bit).
struct RawChannel {
  int height = 0;
  int width = 0;
  int bit_depth = 8;
  std::vector<std::uint16_t> values;
};

// Reads one grayscale image file. Throws DataError for a missing, corrupt or truncated file, a
// colour image, or a bit depth other than 8 or 16.
RawChannel readChannel(const std::filesystem::path& file);

// The whole site; resolution 0 keeps the native size, otherwise an area resize to
// resolution x resolution. Throws DataError for an incomplete site or channels of different sizes.
SiteImage loadSiteImage(const Site& site, int resolution = 0);

// Tiles of tile x tile pixels: a centred grid of floor(H / tile) x floor(W / tile) tiles, in
// row-major order. A site smaller than one tile gives one tile, area-resized.
std::vector<SiteImage> loadSiteTiles(const Site& site, int tile);

// The tile grid loadSiteTiles uses, so callers can state the tiling in provenance.
struct TileGrid {
  int rows = 1;
  int columns = 1;
  int offset_y = 0;
  int offset_x = 0;
};
TileGrid tileGrid(int height, int width, int tile);

}  // namespace gandl::data
