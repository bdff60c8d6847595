#pragma once
// FIR resampling as StyleGAN2 does it: the [1,3,3,1] low-pass filter applied around 2x
// upsampling (zero insertion) and 2x downsampling, and convolutions fused with either. The
// semantics, paddings and gains are those of ada's upfirdn2d reference implementation
// (torch_utils/ops/upfirdn2d.py, _upfirdn2d_ref) and conv2d_resample.py, built from stock ops
// (padding, depthwise convolution) so they run on oneDNN and support double backward (R1).
//
// One deliberate difference: for an upsampling convolution the reference calls a stride-2
// transposed convolution, which has no oneDNN kernel on CPU (22% of a reference training step
// there). conv2dResample computes the same linear map with one ordinary convolution over the
// four polyphase components of the kernel, a pixel shuffle and the FIR filter;
// tests/model/test_model_layers.cpp proves it equal to the transposed-convolution form.

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace gandl::model {

// Zero padding before and after, on both image axes (negative values crop).
struct FirPadding {
  int64_t before = 0;
  int64_t after = 0;
};

// The separable 2-D filter outer(taps, taps) normalised to sum 1 (ada's setup_filter), float32.
torch::Tensor makeFirFilter(const std::vector<double>& taps = {1.0, 3.0, 3.0, 1.0});

// Per channel: upsample by inserting up-1 zeros after each pixel, pad, convolve with `filter`
// (times gain; flip_filter = true correlates instead), keep every down-th pixel.
// x: [N, C, H, W]; filter: [fh, fw]. The filter is cast to x's dtype and device.
torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t up = 1, int64_t down = 1,
                        FirPadding padding = {}, double gain = 1.0, bool flip_filter = false);

// 2x upsampling with output [N, C, 2H, 2W] and gain up^2 (keeps the DC level).
torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t up = 2);
// 2x downsampling with output [N, C, H/2, W/2].
torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& filter, int64_t down = 2);

// conv2d(x, weight) combined with FIR upsampling (up = 2) or downsampling (down = 2), `padding`
// counted on the upsampled image, as ada's conv2d_resample. flip_weight = false convolves
// (the reference's upsampling layers), true correlates like torch::conv2d. `bias` (per output
// channel, optional) is added at the end, inside the convolution where that comes last.
torch::Tensor conv2dResample(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& filter,
                             int64_t up = 1, int64_t down = 1, int64_t padding = 0, int64_t groups = 1,
                             bool flip_weight = true, const torch::Tensor& bias = {});

}  // namespace gandl::model
