#include "core/model/collective.h"

#include <torch/torch.h>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace gandl::model {
namespace {

std::string firstLine(const std::exception& e) {
  const auto* c10error = dynamic_cast<const c10::Error*>(&e);
  std::string text = c10error ? c10error->what_without_backtrace() : e.what();
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

// The tensors as one float32 host buffer, and back: one collective call for all of them.
torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.detach().reshape(-1).to(torch::kCPU, torch::kFloat32));
  return torch::cat(flat);
}

void unflatten(const torch::Tensor& buffer, const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard noGrad;
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    const auto n = t.numel();
    t.copy_(buffer.narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

bool loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

}  // namespace

struct Collective::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

Collective::Collective(const World& world) : world_(world), group_(std::make_unique<Group>()) {
  const auto timeout = std::chrono::milliseconds(std::int64_t{1000} * world.timeout_seconds);
  try {
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = static_cast<std::uint16_t>(world.master_port);
    storeOptions.isServer = world.rank == 0;
    storeOptions.numWorkers = world.size;
    storeOptions.waitWorkers = true;
    storeOptions.timeout = timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, storeOptions);
    auto options = c10d::ProcessGroupGloo::Options::create();
    options->timeout = timeout;
    // Loopback rendezvous (one machine, tests): talk over loopback; otherwise the interface
    // GLOO_SOCKET_IFNAME names, or the one this host's name resolves to.
    if (loopback(world.master_addr))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, world.rank, world.size, options);
  } catch (const std::exception& e) {
    throw std::runtime_error(world.describe() + ": could not meet the other ranks at " + world.master_addr + ":" +
                             std::to_string(world.master_port) + " within " + std::to_string(world.timeout_seconds) +
                             " s (" + firstLine(e) + "); start every rank with the same MASTER_ADDR, MASTER_PORT and " +
                             "WORLD_SIZE");
  }
}

Collective::~Collective() = default;

void Collective::allReduceSum(std::vector<torch::Tensor>& buffer) {
  try {
    group_->gloo->allreduce(buffer)->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error(world_.describe() + ": another rank stopped answering (" + firstLine(e) +
                             "); the job cannot go on. Restart every rank with --resume from the last checkpoint");
  }
}

void Collective::average(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  std::vector<torch::Tensor> buffer{flatten(tensors)};
  allReduceSum(buffer);
  buffer[0].div_(world_.size);
  unflatten(buffer[0], tensors);
}

void Collective::broadcastFromRankZero(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  std::vector<torch::Tensor> buffer{flatten(tensors)};
  try {
    group_->gloo->broadcast(buffer)->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error(world_.describe() + ": another rank stopped answering while the weights were shared (" +
                             firstLine(e) + ")");
  }
  unflatten(buffer[0], tensors);
}

bool Collective::any(bool flag) {
  std::vector<torch::Tensor> buffer{torch::full({1}, flag ? 1.0f : 0.0f)};
  allReduceSum(buffer);
  return buffer[0].item<float>() > 0.0f;
}

}  // namespace gandl::model
