#pragma once
// StyleGAN2's mapping network z -> w: normalise z to unit second moment, then a stack of
// equalized-LR fully connected layers with leaky ReLU and a 0.01 learning-rate multiplier
// (GAN-DL uses 3 layers, the reference 8). It tracks the running mean of w (w_avg) in training
// mode, which is the centre of the truncation trick at inference, and broadcasts w to the
// synthesis network's num_ws inputs. Follows ada's MappingNetwork without class conditioning.

#include <cstdint>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/equalized_layers.h"

namespace gandl::model {

// x * rsqrt(mean(x^2 over dim) + eps): puts every z on the sphere of radius sqrt(z_dim).
torch::Tensor normalize2ndMoment(const torch::Tensor& x, int64_t dim = 1, double eps = 1e-8);

struct MappingNetworkOptions {
  MappingNetworkOptions(int64_t z_dim, int64_t w_dim, int64_t num_ws) : z_dim_(z_dim), w_dim_(w_dim), num_ws_(num_ws) {}
  TORCH_ARG(int64_t, z_dim);
  TORCH_ARG(int64_t, w_dim);
  TORCH_ARG(int64_t, num_ws);  // copies of w handed to the synthesis network
  TORCH_ARG(int64_t, num_layers) = 3;
  TORCH_ARG(double, lr_multiplier) = 0.01;
  TORCH_ARG(double, w_avg_beta) = 0.995;
};

// How a forward pass treats truncation and the w_avg tracker.
struct MappingCall {
  double truncation_psi = 1.0;     // 1 = no truncation; 0 = every w is w_avg
  int64_t truncation_cutoff = -1;  // truncate only the first `cutoff` ws; -1 = all
  bool update_w_avg = true;        // only has an effect in training mode
};

struct MappingNetworkImpl : torch::nn::Cloneable<MappingNetworkImpl> {
  explicit MappingNetworkImpl(MappingNetworkOptions options);
  void reset() override;
  // z [N, z_dim] -> ws [N, num_ws, w_dim]. In training mode (and call.update_w_avg) w_avg moves
  // towards the batch mean of w: w_avg = lerp(mean_w, w_avg, w_avg_beta).
  torch::Tensor forward(const torch::Tensor& z, const MappingCall& call = {});

  MappingNetworkOptions options;
  std::vector<EqualizedLinear> layers;  // registered as fc0, fc1, ...
  torch::Tensor w_avg;                  // [w_dim] buffer
};
TORCH_MODULE(MappingNetwork);

}  // namespace gandl::model
