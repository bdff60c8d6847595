#include "core/model/gan_losses.h"

#include <torch/torch.h>

#include <cmath>

#include "core/model/sample_draws.h"

namespace gandl::model {

namespace F = torch::nn::functional;

torch::Tensor generatorLogisticLoss(const torch::Tensor& fakeLogits) { return F::softplus(-fakeLogits).mean(); }

torch::Tensor discriminatorLogisticLoss(const torch::Tensor& realLogits, const torch::Tensor& fakeLogits) {
  return F::softplus(fakeLogits).mean() + F::softplus(-realLogits).mean();
}

torch::Tensor r1Penalty(const torch::Tensor& realLogits, const torch::Tensor& reals, double gamma,
                        const torch::Tensor& channelScale) {
  auto gradients = torch::autograd::grad({realLogits.sum()}, {reals}, {},
                                         /*retain_graph=*/true, /*create_graph=*/true)[0];
  if (channelScale.defined()) gradients = gradients * channelScale.to(gradients.options()).view({1, -1, 1, 1});
  return gradients.square().sum({1, 2, 3}).mean() * (gamma / 2.0);
}

torch::Tensor contrastiveLoss(const torch::Tensor& a, const torch::Tensor& b, double temperature) {
  TORCH_CHECK(a.dim() == 2 && a.sizes() == b.sizes() && a.size(0) >= 2,
              "contrastiveLoss: expected two [N >= 2, d], got ", a.sizes(), " and ", b.sizes());
  const int64_t n = a.size(0);
  const auto z = torch::nn::functional::normalize(torch::cat({a, b}),
                                                  torch::nn::functional::NormalizeFuncOptions().dim(1).eps(1e-8));
  const auto self = torch::eye(2 * n, torch::TensorOptions().dtype(torch::kBool).device(z.device()));
  const auto logits = (z.matmul(z.t()) / temperature).masked_fill(self, -1e9);
  const auto partner = torch::cat({torch::arange(n, 2 * n), torch::arange(0, n)}).to(z.device());
  return torch::nn::functional::cross_entropy(logits, partner);
}

torch::Tensor generatorWassersteinLoss(const torch::Tensor& fakeLogits) { return -fakeLogits.mean(); }

torch::Tensor discriminatorWassersteinLoss(const torch::Tensor& realLogits, const torch::Tensor& fakeLogits,
                                           double epsilon) {
  return fakeLogits.mean() - realLogits.mean() + epsilon * realLogits.square().mean();
}

torch::Tensor gradientPenalty(const torch::Tensor& mixedLogits, const torch::Tensor& mixed, double lambda) {
  const auto gradients = torch::autograd::grad({mixedLogits.sum()}, {mixed}, {}, true, true)[0];
  const auto norms = gradients.flatten(1).norm(2, 1);
  return (norms - 1.0).square().mean() * lambda;
}

torch::Tensor pathLengths(const torch::Tensor& images, const torch::Tensor& ws) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(images.size(2) * images.size(3)));
  SampleDraws* draws = activeSampleDraws();
  const auto raw = draws ? draws->randn({images.size(1), images.size(2), images.size(3)}).to(images.options())
                         : torch::randn_like(images);
  const auto noise = raw * scale;
  const auto gradients = torch::autograd::grad({(images * noise).sum()}, {ws}, {}, true, true)[0];
  return gradients.square().sum(2).mean(1).sqrt();
}

}  // namespace gandl::model
