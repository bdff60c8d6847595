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
//
// It also pins OpenBLAS's own thread pool to one thread (when OpenBLAS is the BLAS loaded and
// OPENBLAS_NUM_THREADS is not set): LibTorch already parallelizes around its BLAS calls, and
// OpenBLAS's pthread pool, spinning with sched_yield beside LibTorch's OpenMP threads and the PNG
// loaders, oversubscribed the cores. Measured on 2 cores (docs/benchmarks.md): 768 demo sites
// embedded in 3.8 s instead of 4.9 s, 64 px training 11.8 img/s instead of 9.1.
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

// One line for --version and the About box: "LibTorch 1.13.0, devices cpu, BLAS openblas".
std::string runtimeSummary();

}  // namespace gandl::model
