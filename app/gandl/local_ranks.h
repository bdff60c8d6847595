#pragma once
// `gandl train --nproc N`: starts N copies of this very command line as the ranks of a one-machine
// data-parallel job (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a
// free MASTER_PORT in their environment, as torchrun would set them), waits for them, forwards
// SIGINT/SIGTERM, and, when a rank dies, says which and stops the others if they have not stopped
// by themselves. POSIX only.

#include <string>

namespace gandl::cli {

// Records main's arguments for runLocalRanks (call first thing in main).
void rememberArguments(int argc, char** argv);

// Runs the ranks; returns the exit status for this process: 0 when every rank succeeded, 130
// when they were cancelled, 1 otherwise (with one line per failed rank on stderr).
int runLocalRanks(int ranks);

}  // namespace gandl::cli
