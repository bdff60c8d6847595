#pragma once
// Geometric augmentations for microscopy, applied to every image D sees (real and generated
// alike): random flips, 90-degree rotations and integer shifts (reflect-padded). Microscopy has no
// canonical orientation, so these leave the image distribution unchanged and cannot leak into
// the generator; colour operations are not used (five stains, not RGB). Differentiable, so
// generated images keep their gradient. Random draws come from LibTorch's default generator,
// whose state the checkpoint stores.

#include <torch/types.h>

namespace gandl::model {

// images [N, C, H, W] (H == W) -> same shape.
torch::Tensor augmentGeometric(const torch::Tensor& images, int maxShift);

}  // namespace gandl::model
