#include "core/model/synthesis_network.h"

#include <string>

#include <torch/torch.h>

#include "core/model/fir_resample.h"
#include "core/model/network_config.h"

namespace gandl::model {

SynthesisBlockImpl::SynthesisBlockImpl(SynthesisBlockOptions options_) : options(std::move(options_)) { reset(); }

void SynthesisBlockImpl::reset() {
  const int64_t in = options.in_channels(), out = options.out_channels();
  const int64_t res = options.resolution(), wDim = options.w_dim();
  if (in == 0) {
    constant = register_parameter("const", torch::randn({out, res, res}));
  } else {
    conv0 =
        register_module("conv0", SynthesisLayer(SynthesisLayerOptions(in, out, wDim, res).up(2).mode(options.mode())));
  }
  conv1 = register_module("conv1", SynthesisLayer(SynthesisLayerOptions(out, out, wDim, res).mode(options.mode())));
  torgb =
      register_module("torgb", ToRgbLayer(ToRgbLayerOptions(out, options.image_channels(), wDim).mode(options.mode())));
  resample_filter = register_buffer("resample_filter", makeFirFilter());
}

std::pair<torch::Tensor, torch::Tensor> SynthesisBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& img,
                                                                    const torch::Tensor& ws, NoiseMode noise_mode) {
  TORCH_CHECK(ws.dim() == 3 && ws.size(1) == numConv() + 1 && ws.size(2) == options.w_dim(), "SynthesisBlock ",
              options.resolution(), ": expected ws [N, ", numConv() + 1, ", ", options.w_dim(), "], got ", ws.sizes());
  torch::Tensor y;
  int64_t wIndex = 0;
  if (options.in_channels() == 0) {
    y = constant.to(ws.dtype()).unsqueeze(0).repeat({ws.size(0), 1, 1, 1});
  } else {
    y = conv0->forward(x, ws.select(1, wIndex++), noise_mode);
  }
  y = conv1->forward(y, ws.select(1, wIndex++), noise_mode);

  const auto rgb = torgb->forward(y, ws.select(1, wIndex));
  const auto image = img.defined() ? upsample2d(img, resample_filter) + rgb : rgb;
  return {y, image};
}

SynthesisNetworkImpl::SynthesisNetworkImpl(SynthesisNetworkOptions options_) : options(std::move(options_)) { reset(); }

void SynthesisNetworkImpl::reset() {
  const int64_t resolution = options.resolution();
  TORCH_CHECK(resolution >= 4 && (resolution & (resolution - 1)) == 0,
              "SynthesisNetwork: resolution must be a power of two >= 4, got ", resolution);
  const auto channels = [this](int64_t res) {
    return static_cast<int64_t>(channelsAt(static_cast<int>(options.channel_base()),
                                           static_cast<int>(options.channel_max()), static_cast<int>(res)));
  };
  blocks.clear();
  num_ws_ = 0;
  for (int64_t res = 4; res <= resolution; res *= 2) {
    const int64_t in = res == 4 ? 0 : channels(res / 2);
    auto block = register_module(
        "b" + std::to_string(res),
        SynthesisBlock(SynthesisBlockOptions(in, channels(res), options.w_dim(), res, options.image_channels())
                           .mode(options.mode())));
    num_ws_ += block->numConv();
    blocks.push_back(block);
  }
  num_ws_ += 1;  // the last block's ToRGB
}

torch::Tensor SynthesisNetworkImpl::forward(const torch::Tensor& ws, NoiseMode noise_mode) {
  TORCH_CHECK(ws.dim() == 3 && ws.size(1) == num_ws_ && ws.size(2) == options.w_dim(),
              "SynthesisNetwork: expected ws [N, ", num_ws_, ", ", options.w_dim(), "], got ", ws.sizes());
  torch::Tensor x, img;
  int64_t wIndex = 0;
  for (auto& block : blocks) {
    std::tie(x, img) = block->forward(x, img, ws.narrow(1, wIndex, block->numConv() + 1), noise_mode);
    wIndex += block->numConv();
  }
  if (!options.output_mean().empty())
    img = torch::addcmul(perChannel(options.output_mean(), img), img, perChannel(options.output_scale(), img));
  return img;
}

}  // namespace gandl::model
