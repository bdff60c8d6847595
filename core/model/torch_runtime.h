#pragma once
// Process-wide LibTorch settings every tool applies before any work: intra-op threads (Debian's
// LibTorch starts with one), the compute device, and a report of which BLAS library serves
// LibTorch's matrix products (netlib's reference BLAS is ~15x slower than OpenBLAS here).
// Torch-free header so that the CLI and the GUI can call it without pulling in ATen.

#include <string>
#include <vector>

namespace gandl::model {

// Sets LibTorch's intra-op threads: `threads` > 0 as given, otherwise GANDL_THREADS from the
// environment, otherwise every core. Returns the count in force.
int configureThreads(int threads = 0);
int currentThreads();

// The shared objects mapped into this process whose names match `fragment` (from /proc/self/maps).
std::vector<std::string> mappedLibraries(const std::string& fragment);

// "openblas", "reference" (netlib libblas), "mkl", "blis" or "unknown": which BLAS LibTorch's
// libblas.so.3 resolved to in this process.
std::string loadedBlas();

// "cpu" or "cuda:<i>" from "auto", "cpu", "cuda", "cuda:<i>"; throws std::invalid_argument for an
// unknown name or a CUDA device this build or machine does not have.
std::string resolveDevice(const std::string& requested);
// Human-readable list of usable devices, e.g. {"cpu"} or {"cpu", "cuda:0 (NVIDIA H100)"}.
std::vector<std::string> availableDevices();

}  // namespace gandl::model
