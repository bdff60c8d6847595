#pragma once
// Five stains as one RGB picture: each channel is scaled by its display range, clipped to [0, 1],
// multiplied by its colour, summed and clipped (rxrx1-utils' convention, which RxRx users know).
// Used for the generator's sample grids and the GUI's site viewer.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace gandl::data {

struct ChannelStyle {
  std::uint8_t red = 255, green = 255, blue = 255;
  float low = 0.0f;  // display range in 8-bit units (0..255)
  float high = 255.0f;
  bool visible = true;
};

// rxrx1-utils' colours and ranges for the source channels (w1..w6) feeding the model channels.
std::vector<ChannelStyle> rxrxChannelStyles(const std::vector<int>& channel_map = {1, 2, 3, 4, 5});

// Sets each channel's range to its [lowPercentile, highPercentile] values in `chw` (values in
// [-1, 1], as the loader and the generator produce them). Synthetic and generated images do not
// share RxRx's intensity statistics, so fixed ranges would saturate or hide them.
void autoContrast(std::vector<ChannelStyle>& styles, const float* chw, int height, int width,
                  float lowPercentile = 0.5f, float highPercentile = 99.5f);

// The same over several images together (one range per channel for all of them, so brightness
// compares across them): each entry is a [C][plane] image in [-1, 1] and its plane size (H * W).
struct ChannelPlanes {
  const float* chw;
  std::size_t plane;
};
void autoContrastAcross(std::vector<ChannelStyle>& styles, const std::vector<ChannelPlanes>& images,
                        float lowPercentile = 0.5f, float highPercentile = 99.5f);

// [C][H][W] in [-1, 1] -> interleaved RGB8, H * W * 3 bytes. Channels past styles.size() are ignored.
std::vector<std::uint8_t> composite(const float* chw, int channels, int height, int width,
                                    const std::vector<ChannelStyle>& styles);

// A grid of `count` images ([N][C][H][W] in [-1, 1]) as one PNG, `columns` wide, each image
// enlarged `zoom` times (nearest neighbour), 2-pixel gaps; written atomically.
void writeCompositeGrid(const std::filesystem::path& path, const float* nchw, int count, int channels, int height,
                        int width, int columns, const std::vector<ChannelStyle>& styles, int zoom = 1);

}  // namespace gandl::data
