#include "core/model/world.h"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>

namespace gandl::model {
namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

int integerVariable(const char* name, const std::string& value, long low, long high) {
  errno = 0;
  char* end = nullptr;
  const long parsed = std::strtol(value.c_str(), &end, 10);
  if (errno != 0 || end == value.c_str() || *end != '\0' || parsed < low || parsed > high)
    throw std::invalid_argument("the environment variable " + std::string(name) + " is '" + value +
                                "'; expected a whole number from " + std::to_string(low) + " to " +
                                std::to_string(high));
  return static_cast<int>(parsed);
}

}  // namespace

std::string World::describe() const { return "rank " + std::to_string(rank) + " of " + std::to_string(size); }

World worldFromEnvironment() {
  World world;
  const auto size = variable("WORLD_SIZE");
  const auto rank = variable("RANK");
  if (!size) {
    if (rank && *rank != "0")
      throw std::invalid_argument("the environment variable RANK is '" + *rank +
                                  "' but WORLD_SIZE is not set; set both (or neither, for one process)");
    return world;
  }
  constexpr long kMaxRanks = 1 << 16;
  world.size = integerVariable("WORLD_SIZE", *size, 1, kMaxRanks);
  if (!world.distributed()) return world;
  if (!rank)
    throw std::invalid_argument("WORLD_SIZE is " + *size + " but RANK is not set; every process needs its RANK");
  world.rank = integerVariable("RANK", *rank, 0, world.size - 1);
  world.local_rank = world.rank;
  if (const auto local = variable("LOCAL_RANK")) world.local_rank = integerVariable("LOCAL_RANK", *local, 0, kMaxRanks);
  world.local_size = world.size;
  if (const auto local = variable("LOCAL_WORLD_SIZE"))
    world.local_size = integerVariable("LOCAL_WORLD_SIZE", *local, 1, world.size);
  if (world.local_rank >= world.local_size)
    throw std::invalid_argument("LOCAL_RANK " + std::to_string(world.local_rank) + " is not below LOCAL_WORLD_SIZE " +
                                std::to_string(world.local_size));
  const auto address = variable("MASTER_ADDR");
  const auto port = variable("MASTER_PORT");
  if (!address || !port)
    throw std::invalid_argument("WORLD_SIZE is " + *size +
                                " but MASTER_ADDR and MASTER_PORT (where rank 0 listens) are not both set");
  world.master_addr = *address;
  world.master_port = integerVariable("MASTER_PORT", *port, 1, 65535);
  if (const auto timeout = variable("GANDL_DIST_TIMEOUT"))
    world.timeout_seconds = integerVariable("GANDL_DIST_TIMEOUT", *timeout, 1, 24 * 3600);
  return world;
}

std::vector<int> rankMembers(int batch, int group, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size)
    throw std::invalid_argument("rank " + std::to_string(rank) + " of " + std::to_string(size) + " does not exist");
  group = std::max(1, std::min(group, batch));
  if (batch % (group * size) != 0)
    throw std::invalid_argument("a batch of " + std::to_string(batch) + " images cannot be split over " +
                                std::to_string(size) + " ranks in whole minibatch-stddev groups of " +
                                std::to_string(group) + "; choose a batch that is a multiple of " +
                                std::to_string(group * size));
  const int groups = batch / group;   // m: image i belongs to group i % m
  const int perRank = groups / size;  // groups each rank owns
  std::vector<int> members;
  members.reserve(static_cast<std::size_t>(batch / size));
  for (int row = 0; row < group; ++row)  // the layout the rank's own strided grouping expects
    for (int g = rank * perRank; g < (rank + 1) * perRank; ++g) members.push_back(row * groups + g);
  return members;
}

}  // namespace gandl::model
