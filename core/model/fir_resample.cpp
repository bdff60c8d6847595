#include "core/model/fir_resample.h"

#include <algorithm>

#include <torch/torch.h>

namespace gandl::model {
namespace {

// torch::conv2d with square stride and padding (also disambiguates the string-padding overload).
torch::Tensor conv(const torch::Tensor& x, const torch::Tensor& weight, int64_t stride, int64_t padding, int64_t groups,
                   const torch::Tensor& bias = {}) {
  return torch::conv2d(x, weight, bias, {stride, stride}, {padding, padding}, {1, 1}, groups);
}

// Filter size along one axis (the filters here are square).
int64_t taps(const torch::Tensor& filter) { return filter.size(-1); }

// The reference's upsampling convolution (conv2d_resample.py, up > 1): a stride-2 transposed
// convolution T followed by FIR filtering. T is computed by polyphase decomposition instead:
// output phase r (0 even, 1 odd) of T along an axis is a correlation of the input, padded by
// half - 1 with half = ceil(k/2), with the taps c_r[t] = v[r + 2 (half - 1 - t)] (zero past the
// kernel). All four 2-D phases come out of ONE ordinary convolution with 4 x O output channels
// and a half x half kernel; pixel_shuffle interleaves them. That is 16 instead of 9 multiply-adds per input
// pixel for k = 3 (the transposed conv) and 2.25x fewer than upsampling before a 3x3 conv.
torch::Tensor convUp(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& filter, int64_t up,
                     int64_t padding, int64_t groups, bool flip_weight, const torch::Tensor& bias) {
  TORCH_CHECK(up == 2, "conv2dResample: only 2x upsampling is implemented, got ", up);
  const int64_t k = weight.size(-1), half = (k + 1) / 2;
  // v: the kernel the transposed convolution scatters (ada flips it when flip_weight is true).
  const auto v = flip_weight ? weight.flip({2, 3}) : weight;
  // Pad v to 2 * half taps (the extra tap is zero) and gather the phase taps per axis:
  // position (phase r, tap t) reads v[r + 2 * (half - 1 - t)].
  const auto padded = torch::constant_pad_nd(v, {0, 2 * half - k, 0, 2 * half - k});
  std::vector<int64_t> order;
  for (int64_t phase = 0; phase < 2; ++phase)
    for (int64_t tap = 0; tap < half; ++tap) order.push_back(phase + 2 * (half - 1 - tap));
  const auto index = torch::tensor(order, torch::dtype(torch::kLong).device(weight.device()));
  const int64_t out = weight.size(0), in = weight.size(1);
  const auto phases = padded.index_select(2, index)
                          .index_select(3, index)
                          .view({out, in, 2, half, 2, half})  // [O, I, ry, ty, rx, tx]
                          .permute({0, 2, 4, 1, 3, 5})        // [O, ry, rx, I, ty, tx]
                          .reshape({out * 4, in, half, half});
  // T with one trailing row and column of zeros for odd k (the last odd phase is empty).
  const auto transposed = torch::pixel_shuffle(conv(x, phases, 1, half - 1, groups), 2);
  const int64_t f = taps(filter);
  const int64_t before = padding + (f + up - 1) / 2 - (k - 1);
  const int64_t after = padding + (f - up) / 2 - (k - up) - (2 * half - k);
  const auto y = upfirdn2d(transposed, filter, 1, 1, {before, after}, double(up * up));
  return bias.defined() ? y + bias.view({1, -1, 1, 1}) : y;
}

}  // namespace

torch::Tensor makeFirFilter(const std::vector<double>& taps) {
  TORCH_CHECK(!taps.empty(), "makeFirFilter: no taps");
  auto line = torch::tensor(taps, torch::kFloat64);
  auto filter = torch::outer(line, line);
  return (filter / filter.sum()).to(torch::kFloat32);
}

torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t up, int64_t down,
                        FirPadding padding, double gain, bool flip_filter) {
  TORCH_CHECK(x.dim() == 4, "upfirdn2d: expected x [N, C, H, W], got ", x.sizes());
  TORCH_CHECK(filter.dim() == 2, "upfirdn2d: expected a 2-D filter, got ", filter.sizes());
  TORCH_CHECK(up >= 1 && down >= 1, "upfirdn2d: up and down must be >= 1, got ", up, " and ", down);
  const int64_t batch = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);

  // Zero insertion and padding in one buffer: every input pixel lands at (before + up * i).
  auto y = x;
  const int64_t padBefore = std::max<int64_t>(padding.before, 0);
  const int64_t padAfter = std::max<int64_t>(padding.after, 0);
  if (up > 1 || padBefore > 0 || padAfter > 0) {
    const int64_t paddedHeight = height * up + padBefore + padAfter;
    const int64_t paddedWidth = width * up + padBefore + padAfter;
    y = torch::zeros({batch, channels, paddedHeight, paddedWidth}, x.options());
    y.slice(2, padBefore, padBefore + height * up, up).slice(3, padBefore, padBefore + width * up, up).copy_(x);
  }
  const int64_t cropBefore = std::max<int64_t>(-padding.before, 0);
  const int64_t cropAfter = std::max<int64_t>(-padding.after, 0);
  if (cropBefore > 0 || cropAfter > 0) {
    y = y.slice(2, cropBefore, y.size(2) - cropAfter).slice(3, cropBefore, y.size(3) - cropAfter);
  }

  // torch::conv2d correlates; a true convolution needs the flipped filter.
  auto kernel = filter.to(y.options()) * gain;
  if (!flip_filter) kernel = kernel.flip({0, 1});
  kernel = kernel.view({1, 1, filter.size(0), filter.size(1)}).repeat({channels, 1, 1, 1});
  // A strided convolution keeps exactly every down-th output of the dense one.
  return conv(y, kernel, down, 0, channels);
}

torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t up) {
  const int64_t f = taps(filter);
  return upfirdn2d(x, filter, up, 1, {(f + up - 1) / 2, (f - up) / 2}, static_cast<double>(up * up));
}

torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t down) {
  const int64_t f = taps(filter);
  return upfirdn2d(x, filter, 1, down, {(f - down + 1) / 2, (f - down) / 2});
}

torch::Tensor conv2dResample(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& filter,
                             int64_t up, int64_t down, int64_t padding, int64_t groups, bool flip_weight,
                             const torch::Tensor& bias) {
  TORCH_CHECK(weight.dim() == 4 && weight.size(2) == weight.size(3),
              "conv2dResample: expected a square weight [O, I, k, k], got ", weight.sizes());
  TORCH_CHECK(up == 1 || down == 1, "conv2dResample: up and down together are not supported");
  const int64_t kernel = weight.size(-1);
  if (up > 1 && kernel > 1) return convUp(x, weight, filter, up, padding, groups, flip_weight, bias);

  const auto w = flip_weight ? weight : weight.flip({2, 3});
  if (up == 1 && down == 1) return conv(x, w, 1, padding, groups, bias);

  const int64_t f = taps(filter);
  if (down > 1) {
    const FirPadding pad{padding + (f - down + 1) / 2, padding + (f - down) / 2};
    if (kernel == 1)  // cheaper to shrink first, then mix channels
      return conv(upfirdn2d(x, filter, 1, down, pad), w, 1, 0, groups, bias);
    return conv(upfirdn2d(x, filter, 1, 1, pad), w, down, 0, groups, bias);
  }
  // 1x1 kernel: mix channels at the low resolution, then upsample.
  const FirPadding pad{padding + (f + up - 1) / 2, padding + (f - up) / 2};
  const auto y = upfirdn2d(conv(x, w, 1, 0, groups), filter, up, 1, pad, double(up * up));
  return bias.defined() ? y + bias.view({1, -1, 1, 1}) : y;
}

}  // namespace gandl::model
