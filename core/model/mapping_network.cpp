#include "core/model/mapping_network.h"

#include <algorithm>
#include <string>

#include <torch/torch.h>

namespace gandl::model {

torch::Tensor normalize2ndMoment(const torch::Tensor& x, int64_t dim, double eps) {
  return x * torch::rsqrt(x.square().mean(dim, /*keepdim=*/true) + eps);
}

MappingNetworkImpl::MappingNetworkImpl(MappingNetworkOptions options_) : options(std::move(options_)) { reset(); }

void MappingNetworkImpl::reset() {
  TORCH_CHECK(options.num_layers() >= 1, "MappingNetwork: num_layers must be >= 1, got ", options.num_layers());
  TORCH_CHECK(options.num_ws() >= 1, "MappingNetwork: num_ws must be >= 1, got ", options.num_ws());
  layers.clear();
  for (int64_t index = 0; index < options.num_layers(); ++index) {
    const int64_t in = index == 0 ? options.z_dim() : options.w_dim();
    layers.push_back(
        register_module("fc" + std::to_string(index), EqualizedLinear(EqualizedLinearOptions(in, options.w_dim())
                                                                          .activation(Activation::LeakyRelu)
                                                                          .lr_multiplier(options.lr_multiplier()))));
  }
  w_avg = register_buffer("w_avg", torch::zeros({options.w_dim()}));
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, const MappingCall& call) {
  TORCH_CHECK(z.dim() == 2 && z.size(1) == options.z_dim(), "MappingNetwork: expected z [N, ", options.z_dim(),
              "], got ", z.sizes());
  auto x = normalize2ndMoment(z);
  for (auto& layer : layers) x = layer->forward(x);

  if (is_training() && call.update_w_avg) {
    torch::NoGradGuard noGrad;
    const auto batchMean = x.detach().mean(0).to(w_avg.dtype());
    w_avg.copy_(batchMean + options.w_avg_beta() * (w_avg - batchMean));
  }

  auto ws = x.unsqueeze(1).repeat({1, options.num_ws(), 1});
  if (call.truncation_psi != 1.0) {
    const auto centre = w_avg.to(ws.dtype());
    const int64_t cutoff =
        call.truncation_cutoff < 0 ? options.num_ws() : std::min(call.truncation_cutoff, options.num_ws());
    const auto truncated = centre + call.truncation_psi * (ws.narrow(1, 0, cutoff) - centre);
    ws = cutoff == options.num_ws() ? truncated
                                    : torch::cat({truncated, ws.narrow(1, cutoff, options.num_ws() - cutoff)}, 1);
  }
  return ws;
}

}  // namespace gandl::model
