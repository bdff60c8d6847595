#include "core/model/augment.h"

#include <torch/torch.h>

namespace gandl::model {

torch::Tensor augmentGeometric(const torch::Tensor& images, int maxShift) {
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  const int64_t shift = std::min<int64_t>(maxShift, std::min(h, w) - 1);
  // Draws on the CPU generator whatever the device, so a run's sequence is device-independent.
  const auto draws = torch::randint(0, 1 << 30, {n, 5}, torch::kLong);
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

}  // namespace gandl::model
