#pragma once
// Which transformed copies of every view an embedding's readout is averaged over (test-time
// augmentation): the description only, torch-free, so the embedder's options can name it; the
// transformation itself is applyTestTimeView (core/model/augment.h).

#include <string>

namespace gandl::model {

// The transformed copies of every view that an embedding's readout is averaged over (test-time
// augmentation). Averaging over the symmetries and shifts training augments with makes the readout
// independent of where and how a phenotype sits in the view, which a position-specific readout
// (the FC-512 mixes the 4x4 positions of the last block) otherwise is not.
struct TestTimeViews {
  bool dihedral = false;  // the 8 symmetries of the square
  int shift = 0;          // > 0: the 3x3 grid of shifts by {-shift, 0, +shift} px in y and x

  int count() const { return (dihedral ? 8 : 1) * (shift > 0 ? 9 : 1); }
  bool none() const { return count() == 1; }
};

// "none", "dihedral", "shifts" or "dihedral+shifts" (shifts of resolution / 8 px, as training);
// throws std::invalid_argument otherwise.
TestTimeViews parseTestTimeViews(const std::string& name, int resolution);
std::string testTimeViewsName(const TestTimeViews& views);

}  // namespace gandl::model
