#include "core/model/discriminator_probe.h"

#include <torch/torch.h>

#include <map>

#include "core/model/augment.h"
#include "core/model/checkpoint.h"
#include "core/model/discriminator.h"
#include "core/model/global_rng.h"
#include "core/model/minibatch_stddev.h"

namespace gandl::model {

struct DiscriminatorProbe::Impl {
  NetworkConfig network;
  torch::Device device{torch::kCPU};
  Discriminator discriminator{nullptr};
};

DiscriminatorProbe::DiscriminatorProbe(const NetworkConfig& network, const std::filesystem::path& checkpointFile,
                                       const std::string& device, std::uint64_t seed)
    : impl_(std::make_unique<Impl>()) {
  impl_->network = network;
  impl_->device = torch::Device(device);
  if (!checkpointFile.empty()) {
    impl_->discriminator = loadDiscriminatorFile(checkpointFile, network, impl_->device);
  } else {
    {
      IsolatedGlobalRng isolate;  // seeded weights without touching a running training's stream
      torch::manual_seed(seed);
      impl_->discriminator = Discriminator(network);
    }
    impl_->discriminator->to(impl_->device);
    impl_->discriminator->eval();
  }
}

DiscriminatorProbe::~DiscriminatorProbe() = default;

ProbeOutput DiscriminatorProbe::run(common::ImageSource& source, const std::vector<std::size_t>& items, int batch,
                                    const tasks::TaskContext& context, const TestTimeViews& testTimeViews) {
  if (source.resolution() != impl_->network.resolution)
    throw std::runtime_error("the images are prepared at " + std::to_string(source.resolution()) +
                             " px but the discriminator expects " + std::to_string(impl_->network.resolution));
  torch::NoGradGuard noGrad;
  auto& d = *impl_->discriminator;
  auto& epilogue = *d.epilogue;
  const int64_t group = std::max(1, impl_->network.mbstd_group);
  const int64_t mbstdChannels = impl_->network.mbstd_channels;

  // Per view: every readout except fc512_mbstd, and the 4x4 trunk output kept for it (its
  // stddev value is known only once every view has been seen).
  std::vector<std::string> names;
  std::vector<torch::Tensor> perView;  // one [views, dim] per readout, in `names` order
  std::vector<std::vector<torch::Tensor>> chunks;
  std::vector<torch::Tensor> trunks;  // per batch and transform
  std::vector<int64_t> trunkCounts;   // views per batch
  std::vector<std::size_t> viewItem;
  double stddevSum = 0;
  int64_t stddevGroups = 0;
  std::int64_t done = 0;

  const int transforms = testTimeViews.count();
  auto stream = source.embeddingBatches(items, batch);
  while (auto host = stream->next()) {
    context.checkCancelled();
    const auto input =
        torch::from_blob(host->pixels.data(), {host->count, host->channels, host->height, host->width}, torch::kFloat32)
            .to(impl_->device);
    std::vector<torch::Tensor> outputs;  // summed over the transforms
    std::vector<std::string> batchNames;
    for (int k = 0; k < transforms; ++k) {
      auto x = d.normalizeInput(k == 0 ? input : applyTestTimeView(testTimeViews, input, k));
      std::size_t slot = 0;
      auto accumulate = [&](const std::string& name, const torch::Tensor& value) {
        if (k == 0) {
          outputs.push_back(value);
          batchNames.push_back(name);
        } else {
          outputs[slot] = outputs[slot] + value;
        }
        ++slot;
      };
      for (auto& block : d.blocks) {
        x = block->forward(x);
        accumulate("pool_b" + std::to_string(block->options.resolution()), x.mean({2, 3}));
      }
      trunks.push_back(x.to(torch::kCPU));  // view-major within the batch: [k][view]
      const auto conv = epilogue.conv->forward(minibatchStddev(x, 1, mbstdChannels));
      accumulate("pool_epilogue", conv.mean({2, 3}));
      const auto fc = epilogue.fc->forward(conv.flatten(1));
      accumulate("fc512", fc);
      accumulate("logit", epilogue.out->forward(fc));
      // The stddev channel training would have seen: consecutive groups of `group` real views.
      if (mbstdChannels > 0 && k == 0) {
        for (int64_t start = 0; start + group <= x.size(0); start += group) {
          const auto g = minibatchStddev(x.narrow(0, start, group), group, mbstdChannels);
          stddevSum += g.narrow(1, x.size(1), mbstdChannels).mean().item<double>();
          ++stddevGroups;
        }
      }
    }
    if (names.empty()) names = batchNames;
    std::vector<torch::Tensor> cpu;
    for (auto& o : outputs) cpu.push_back((o / transforms).to(torch::kCPU));
    chunks.push_back(std::move(cpu));
    trunkCounts.push_back(host->count);
    viewItem.insert(viewItem.end(), host->items.begin(), host->items.end());
    done += host->count;
    context.report(done, -1, "views");
  }
  if (viewItem.empty()) return {};

  ProbeOutput result;
  result.mbstdReal = stddevGroups > 0 ? stddevSum / stddevGroups : 0.0;
  for (std::size_t r = 0; r < names.size(); ++r) {
    std::vector<torch::Tensor> parts;
    for (auto& c : chunks) parts.push_back(c[r]);
    perView.push_back(torch::cat(parts, 0));
  }
  {  // multiscale: the pooled readouts side by side (DiscriminatorImpl::multiscale), after them
    std::vector<torch::Tensor> pooled;
    std::size_t last = 0;
    for (std::size_t r = 0; r < names.size(); ++r)
      if (names[r].rfind("pool_", 0) == 0) {
        pooled.push_back(perView[r]);
        last = r;
      }
    names.insert(names.begin() + static_cast<std::ptrdiff_t>(last + 1), "multiscale");
    perView.insert(perView.begin() + static_cast<std::ptrdiff_t>(last + 1), torch::cat(pooled, 1));
  }
  {  // fc512_mbstd from the kept trunk outputs, averaged over the transforms like the rest
    std::vector<torch::Tensor> parts;
    std::size_t next = 0;
    for (const auto count : trunkCounts) {
      torch::Tensor sum;
      for (int k = 0; k < transforms; ++k) {
        const auto t = trunks[next++].to(impl_->device);
        auto withStddev = t;
        if (mbstdChannels > 0)
          withStddev = torch::cat(
              {t, torch::full({count, mbstdChannels, t.size(2), t.size(3)}, result.mbstdReal, t.options())}, 1);
        const auto fc = epilogue.fc->forward(epilogue.conv->forward(withStddev).flatten(1));
        sum = k == 0 ? fc : sum + fc;
      }
      parts.push_back((sum / transforms).to(torch::kCPU));
    }
    const auto logitIndex = names.size() - 1;  // keep "logit" last
    names.insert(names.begin() + static_cast<std::ptrdiff_t>(logitIndex), "fc512_mbstd");
    perView.insert(perView.begin() + static_cast<std::ptrdiff_t>(logitIndex), torch::cat(parts, 0));
  }

  // Mean over each item's views, rows in the order of `items`.
  std::map<std::size_t, std::size_t> rowOf;
  for (std::size_t i = 0; i < items.size(); ++i) rowOf.emplace(items[i], i);
  std::vector<int64_t> rows;
  rows.reserve(viewItem.size());
  for (auto item : viewItem) rows.push_back(static_cast<int64_t>(rowOf.at(item)));
  const auto index = torch::tensor(rows, torch::kLong);
  const auto counts = torch::zeros({static_cast<int64_t>(items.size()), 1})
                          .index_add_(0, index, torch::ones({static_cast<int64_t>(viewItem.size()), 1}));
  for (std::size_t r = 0; r < names.size(); ++r) {
    const auto& views = perView[r];
    const auto sums = torch::zeros({static_cast<int64_t>(items.size()), views.size(1)}).index_add_(0, index, views);
    const auto means = (sums / counts.clamp_min(1)).contiguous();
    ProbeReadout readout;
    readout.name = names[r];
    readout.dimension = static_cast<int>(means.size(1));
    readout.rows.assign(means.data_ptr<float>(), means.data_ptr<float>() + means.numel());
    result.readouts.push_back(std::move(readout));
  }
  return result;
}

}  // namespace gandl::model
