#pragma once
// Geometric augmentations for microscopy, applied to every image D sees (real and generated
// alike): random flips, 90-degree rotations and integer shifts (reflect-padded). Microscopy has no
// canonical orientation, so these leave the image distribution unchanged and cannot leak into
// the generator; colour operations are not used (five stains, not RGB). Differentiable, so
// generated images keep their gradient. Random draws come from LibTorch's default generator,
// whose state the checkpoint stores.

#include <string>

#include <torch/types.h>

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

// The transformed copies of every view that an embedding's readout is averaged over (test-time
// augmentation). Averaging over the symmetries and shifts training augments with makes the readout
// independent of where and how a phenotype sits in the view, which a position-specific readout
// (the FC-512 mixes the 4x4 positions of the last block) otherwise is not.
struct TestTimeViews {
  bool dihedral = false;  // the 8 symmetries of the square
  int shift = 0;          // > 0: the 3x3 grid of shifts by {-shift, 0, +shift} px in y and x

  int count() const { return (dihedral ? 8 : 1) * (shift > 0 ? 9 : 1); }
  // The index-th copy (0 <= index < count()); index 0 is the view itself.
  torch::Tensor apply(const torch::Tensor& images, int index) const;
  bool none() const { return count() == 1; }
};

// "none", "dihedral", "shifts" or "dihedral+shifts" (shifts of resolution / 8 px, as training);
// throws std::invalid_argument otherwise.
TestTimeViews parseTestTimeViews(const std::string& name, int resolution);
std::string testTimeViewsName(const TestTimeViews& views);

}  // namespace gandl::model
