#pragma once
// Geometric augmentations for microscopy, applied to every image D sees (real and generated
// alike): random flips, 90-degree rotations and integer shifts (reflect-padded). Microscopy has no
// canonical orientation, so these leave the image distribution unchanged and cannot leak into
// the generator; colour operations are not used (five stains, not RGB). Differentiable, so
// generated images keep their gradient. Random draws come from LibTorch's default generator,
// whose state the checkpoint stores.

#include <torch/types.h>

#include "core/model/test_time_views.h"

namespace gandl::model {

// images [N, C, H, W] (H == W) -> same shape.
torch::Tensor augmentGeometric(const torch::Tensor& images, int maxShift);

// The k-th of the 8 symmetries of the square (k in 0..7): k % 4 quarter turns, then a
// left-right flip when k >= 4. k = 0 is the identity. The same group augmentGeometric draws
// from, so every transformed image is one D saw the like of in training.
torch::Tensor dihedral(const torch::Tensor& images, int k);

// images translated by (dy, dx) pixels with reflect padding (same shape): the shifts training
// draws from (|dy|, |dx| <= the training's maxShift).
torch::Tensor shifted(const torch::Tensor& images, int dy, int dx);

// The index-th copy of `images` under `views` (0 <= index < views.count()); index 0 is the view
// itself (core/model/test_time_views.h).
torch::Tensor applyTestTimeView(const TestTimeViews& views, const torch::Tensor& images, int index);

}  // namespace gandl::model
