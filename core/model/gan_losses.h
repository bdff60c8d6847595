#pragma once
// StyleGAN2's losses and regularisers, as functions of networks' outputs (ada training/loss.py;
// tf training/loss.py for WGAN-GP). Each returns a scalar to call backward() on.

#include <torch/types.h>

namespace gandl::model {

// Non-saturating logistic loss: G minimises softplus(-D(G(z))).
torch::Tensor generatorLogisticLoss(const torch::Tensor& fakeLogits);
// D minimises softplus(D(fake)) + softplus(-D(real)).
torch::Tensor discriminatorLogisticLoss(const torch::Tensor& realLogits, const torch::Tensor& fakeLogits);

// R1: (gamma / 2) * ||grad_x D(x)||^2 per real image, mean over the batch. `reals` must require
// grad and `realLogits` be computed from it; builds a graph for the double backward.
// `channelScale` (one value per channel; undefined: none) multiplies the gradient per channel:
// for a D that standardises its input by that scale, the penalty is then the gradient's with
// respect to the standardised images, the space D works in (NetworkConfig::input_scale).
torch::Tensor r1Penalty(const torch::Tensor& realLogits, const torch::Tensor& reals, double gamma,
                        const torch::Tensor& channelScale = {});

// WGAN-GP (Gulrajani et al.; StyleGAN's tf config): D minimises D(fake) - D(real)
// + lambda (||grad D(mix)|| - 1)^2 + epsilon D(real)^2; G minimises -D(fake).
// NT-Xent (SimCLR): rows a[i] and b[i] are two views of image i; each of the 2N rows, L2-normalised,
// must pick its partner among the other 2N - 1 by cosine similarity / temperature. Mean over rows.
torch::Tensor contrastiveLoss(const torch::Tensor& a, const torch::Tensor& b, double temperature);

torch::Tensor generatorWassersteinLoss(const torch::Tensor& fakeLogits);
torch::Tensor discriminatorWassersteinLoss(const torch::Tensor& realLogits, const torch::Tensor& fakeLogits,
                                           double epsilon);
// Gradient penalty on `mixed` (requires grad) with its logits.
torch::Tensor gradientPenalty(const torch::Tensor& mixedLogits, const torch::Tensor& mixed, double lambda);

// Path-length regulariser: lengths of J_w^T y for y ~ N(0, I)/sqrt(H W), per image.
// `images` must be synthesised from `ws` (which requires grad).
torch::Tensor pathLengths(const torch::Tensor& images, const torch::Tensor& ws);

}  // namespace gandl::model
