#include "core/model/generator.h"

#include <torch/torch.h>

namespace gandl::model {

GeneratorImpl::GeneratorImpl(NetworkConfig config_, ModulationMode mode_) : config(std::move(config_)), mode(mode_) {
  reset();
}

void GeneratorImpl::reset() {
  config.validate();
  // ada builds synthesis first (it defines num_ws), then mapping; same order here so that a
  // seeded construction draws the same random numbers in the same order.
  synthesis = register_module(
      "synthesis", SynthesisNetwork(SynthesisNetworkOptions(config.w_dim, config.resolution, config.image_channels)
                                        .channel_base(config.channel_base)
                                        .channel_max(config.channel_max)
                                        .mode(mode)
                                        .output_mean(config.input_mean)
                                        .output_scale(config.input_scale)));
  TORCH_CHECK(synthesis->numWs() == config.numWs(), "Generator: synthesis consumes ", synthesis->numWs(),
              " ws but the config says ", config.numWs());
  mapping = register_module("mapping", MappingNetwork(MappingNetworkOptions(config.z_dim, config.w_dim, config.numWs())
                                                          .num_layers(config.mapping_layers)
                                                          .lr_multiplier(config.mapping_lr_multiplier)
                                                          .w_avg_beta(config.w_avg_beta)));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const MappingCall& call, NoiseMode noise_mode) {
  return synthesis->forward(mapping->forward(z, call), noise_mode);
}

torch::Tensor GeneratorImpl::sample(const torch::Tensor& z, double truncation_psi, NoiseMode noise_mode) {
  torch::NoGradGuard noGrad;
  MappingCall call;
  call.truncation_psi = truncation_psi;
  call.update_w_avg = false;
  return forward(z, call, noise_mode);
}

}  // namespace gandl::model
