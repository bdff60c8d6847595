#pragma once
// The ranks of a data-parallel training job talking through torch's c10d: a TCPStore rendezvous
// at MASTER_ADDR:MASTER_PORT (rank 0 serves it) and a Gloo process group (CPU tensors; CUDA
// tensors are staged through the host). A rank that dies or stops answering makes every
// collective of the others fail within World::timeout_seconds with a message naming this rank,
// never hang.

#include <torch/types.h>

#include <memory>
#include <vector>

#include "core/model/world.h"

namespace gandl::model {

class Collective {
 public:
  // Meets the other ranks (waits up to the world's timeout); throws std::runtime_error naming the
  // address when they do not come.
  explicit Collective(const World& world);
  ~Collective();
  Collective(const Collective&) = delete;
  Collective& operator=(const Collective&) = delete;

  const World& world() const { return world_; }
  // Replaces each tensor by its mean over the ranks (one all-reduce of the flattened tensors).
  void average(const std::vector<torch::Tensor>& tensors);
  // Replaces each tensor by rank 0's.
  void broadcastFromRankZero(const std::vector<torch::Tensor>& tensors);
  // True on every rank when `flag` is true on any.
  bool any(bool flag);

 private:
  // Sums the buffer over the ranks in place; a rank that stopped answering ends the job, saying so.
  void allReduceSum(std::vector<torch::Tensor>& buffer);

  struct Group;
  World world_;
  std::unique_ptr<Group> group_;
};

}  // namespace gandl::model
