#pragma once
// GAN-DL's generator: the mapping network (z -> ws) and the synthesis network (ws -> images),
// built from one NetworkConfig. Style mixing and path-length regularisation are the trainer's:
// it calls mapping and synthesis separately; forward() and sample() cover the plain uses.

#include <cstdint>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/mapping_network.h"
#include "core/model/network_config.h"
#include "core/model/synthesis_network.h"

namespace gandl::model {

struct GeneratorImpl : torch::nn::Cloneable<GeneratorImpl> {
  // Validates `config`; mode picks the modulated-conv formulation (same function either way).
  explicit GeneratorImpl(NetworkConfig config, ModulationMode mode = ModulationMode::ScaledActivations);
  void reset() override;

  // z [N, z_dim] -> images [N, image_channels, res, res]. Updates w_avg in training mode.
  torch::Tensor forward(const torch::Tensor& z, const MappingCall& call = {}, NoiseMode noise_mode = NoiseMode::Random);
  // Inference: no autograd, no w_avg update, truncation psi towards w_avg, the layers' fixed
  // noise so the same z gives the same image at every call (a grid that tracks training).
  torch::Tensor sample(const torch::Tensor& z, double truncation_psi = 1.0, NoiseMode noise_mode = NoiseMode::Const);

  int64_t numWs() const { return config.numWs(); }

  NetworkConfig config;
  ModulationMode mode;
  MappingNetwork mapping{nullptr};
  SynthesisNetwork synthesis{nullptr};
};
TORCH_MODULE(Generator);

}  // namespace gandl::model
