#pragma once
// Where this process stands in a data-parallel training job: its rank, the number of ranks and
// how they meet (torch's c10d rendezvous: MASTER_ADDR / MASTER_PORT, RANK, WORLD_SIZE,
// LOCAL_RANK, LOCAL_WORLD_SIZE, as torchrun and a Slurm recipe set them), and which images of
// every global batch are this rank's. Torch-free: the CLI reads it without LibTorch.

#include <cstdint>
#include <string>
#include <vector>

namespace gandl::model {

struct World {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  int local_size = 1;  // ranks on this machine (threads are shared among them)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int timeout_seconds = 60;  // a collective that waits longer than this for a rank fails

  bool distributed() const { return size > 1; }
  std::string describe() const;  // "rank 1 of 4"
};

// The world the environment describes; one process (rank 0 of 1) when WORLD_SIZE is unset.
// Throws std::invalid_argument naming the variable and its value when one is malformed, out of
// range, or missing beside the others (RANK without WORLD_SIZE, a rank >= the size, ...).
World worldFromEnvironment();

// The positions (0 .. batch-1) of a global batch that `rank` of `size` trains on, so that every
// minibatch-stddev group of the one-process batch lies whole on one rank: the discriminator
// groups images i, i + m, i + 2m, ... (m = batch / group, ada's strided grouping), and a rank
// takes whole groups in the same strided layout. With that, `size` ranks compute exactly the
// one-process step. Throws std::invalid_argument unless batch is a multiple of group * size
// (say what to choose instead).
std::vector<int> rankMembers(int batch, int group, int rank, int size);

}  // namespace gandl::model
