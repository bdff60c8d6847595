#include "core/model/augment.h"

#include <cstdlib>
#include <stdexcept>

#include <torch/torch.h>

#include "core/model/sample_draws.h"

namespace gandl::model {

torch::Tensor augmentGeometric(const torch::Tensor& images, int maxShift) {
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  const int64_t shift = std::min<int64_t>(maxShift, std::min(h, w) - 1);
  // Draws on the CPU generator whatever the device, so a run's sequence is device-independent.
  // Per-image streams in a data-parallel step (sample_draws.h).
  SampleDraws* keyed = activeSampleDraws();
  const auto draws = keyed ? keyed->randint(1 << 30, {5}) : torch::randint(0, 1 << 30, {n, 5}, torch::kLong);
  const auto d = draws.accessor<int64_t, 2>();
  torch::Tensor padded = images;
  if (shift > 0)
    padded = torch::nn::functional::pad(
        images, torch::nn::functional::PadFuncOptions({shift, shift, shift, shift}).mode(torch::kReflect));
  std::vector<torch::Tensor> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    torch::Tensor x = padded[i];
    if (shift > 0) {
      const int64_t dy = d[i][3] % (2 * shift + 1), dx = d[i][4] % (2 * shift + 1);
      x = x.narrow(1, dy, h).narrow(2, dx, w);
    }
    if (d[i][0] % 2) x = x.flip({2});
    if (d[i][1] % 2) x = x.flip({1});
    const int64_t quarter = d[i][2] % 4;
    if (quarter) x = torch::rot90(x, quarter, {1, 2});
    out.push_back(x);
  }
  return torch::stack(out);
}

torch::Tensor dihedral(const torch::Tensor& images, int k) {
  TORCH_CHECK(k >= 0 && k < 8, "dihedral: k must be in 0..7, got ", k);
  auto x = k % 4 ? torch::rot90(images, k % 4, {2, 3}) : images;
  return k >= 4 ? x.flip({3}) : x;
}

torch::Tensor shifted(const torch::Tensor& images, int dy, int dx) {
  if (dy == 0 && dx == 0) return images;
  const int64_t h = images.size(2), w = images.size(3);
  const int pad = std::max(std::abs(dy), std::abs(dx));
  TORCH_CHECK(pad < std::min(h, w), "shifted: a shift of ", pad, " px needs views larger than ", h, "x", w);
  const auto padded = torch::nn::functional::pad(
      images, torch::nn::functional::PadFuncOptions({pad, pad, pad, pad}).mode(torch::kReflect));
  // Output pixel (y, x) shows input pixel (y - dy, x - dx).
  return padded.narrow(2, pad - dy, h).narrow(3, pad - dx, w);
}

torch::Tensor applyTestTimeView(const TestTimeViews& views, const torch::Tensor& images, int index) {
  TORCH_CHECK(index >= 0 && index < views.count(), "applyTestTimeView: index ", index, " outside 0..",
              views.count() - 1);
  const int symmetry = views.dihedral ? index % 8 : 0;
  const int position = views.shift > 0 ? (views.dihedral ? index / 8 : index) : 0;
  // Position 0 is the unshifted view, then the 8 neighbours of the 3x3 grid.
  static constexpr int kOffsets[9][2] = {{0, 0}, {-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};
  auto x = shifted(images, kOffsets[position][0] * views.shift, kOffsets[position][1] * views.shift);
  return symmetry ? model::dihedral(x, symmetry) : x;
}

TestTimeViews parseTestTimeViews(const std::string& name, int resolution) {
  TestTimeViews views;
  if (name == "none") return views;
  if (name == "dihedral" || name == "dihedral+shifts") views.dihedral = true;
  if (name == "shifts" || name == "dihedral+shifts") views.shift = std::max(1, resolution / 8);
  if (views.none())
    throw std::invalid_argument("unknown test-time augmentation '" + name +
                                "'; expected none, dihedral, shifts or dihedral+shifts");
  return views;
}

std::string testTimeViewsName(const TestTimeViews& views) {
  if (views.dihedral && views.shift > 0) return "dihedral+shifts";
  if (views.dihedral) return "dihedral";
  if (views.shift > 0) return "shifts";
  return "none";
}

}  // namespace gandl::model
