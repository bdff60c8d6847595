// Process-level LibTorch facts the whole program relies on: threads are set, the BLAS behind
// matrix products is OpenBLAS (not netlib's reference BLAS), and no Qt 5 library is mapped.
#include <QtTest>

#include <dlfcn.h>

#include <cstring>

#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include "core/model/host_memory.h"
#include "core/model/torch_runtime.h"

using namespace gandl::model;

class TestTorchRuntime : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QCOMPARE(configureThreads(2), 2); }

  void threadsAreSet() { QCOMPARE(currentThreads(), 2); }

  void matrixProductsUseOpenBlas() {
    const auto a = torch::randn({256, 256});
    const auto product = torch::mm(a, a.t());
    QVERIFY(product.allclose(product.t(), 1e-4, 1e-4));
    QCOMPARE(loadedBlas(), std::string("openblas"));
  }

  void openBlasRunsOneThreadBesideLibTorchs() {
    // LibTorch's threads parallelize around BLAS calls; OpenBLAS's own pool would oversubscribe.
    if (std::getenv("OPENBLAS_NUM_THREADS")) QSKIP("OPENBLAS_NUM_THREADS set by the caller");
    using GetThreads = int (*)();
    const auto get = reinterpret_cast<GetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    QVERIFY2(get, "openblas_get_num_threads not found although OpenBLAS is the BLAS");
    QCOMPARE(get(), 1);
  }

  void noQt5LibraryIsMapped() {
    // Debian's libtorch_cpu NEEDs libopencv_highgui, which links Qt 5; the shim replaces it.
    const auto qt5 = mappedLibraries("libQt5");
    QVERIFY2(qt5.empty(), qt5.empty() ? "" : qt5.front().c_str());
    const auto highgui = mappedLibraries("libopencv_highgui");
    QCOMPARE(highgui.size(), std::size_t(1));
    QVERIFY2(highgui.front().find("highgui_shim") != std::string::npos, highgui.front().c_str());
    QVERIFY(!mappedLibraries("libQt6Core").empty());
  }

  // Large tensors come from the caching host allocator once it is installed: a freed block is
  // reused for the next tensor of its rounded size, values are the tensor's, small tensors and
  // raw allocations (LibTorch's raw_allocate path) still work, and the cache can be emptied.
  void largeTensorsReuseFreedHostMemory() {
    useCachingHostAllocator();
    const auto before = hostMemoryStats();
    QVERIFY(before.cache_limit_bytes > 0);
    const void* first = nullptr;
    {
      auto a = torch::full({4, 1024, 1024}, 3.0f);  // 16 MB
      first = a.data_ptr();
      QCOMPARE(a.sum().item<double>(), 3.0 * 4 * 1024 * 1024);
    }
    QVERIFY(hostMemoryStats().cached_bytes >= std::size_t(16) << 20);
    {
      auto b = torch::zeros({4, 1024, 1024});
      QCOMPARE(static_cast<const void*>(b.data_ptr()), first);  // the same block, not a new mapping
      QCOMPARE(b.abs().sum().item<double>(), 0.0);              // and zeroed by zeros(), as always
      const auto after = hostMemoryStats();
      QCOMPARE(after.reused, before.reused + 1);
    }
    auto small = torch::arange(10);
    QCOMPARE(small.sum().item<int64_t>(), int64_t(45));
    c10::Allocator* allocator = c10::GetCPUAllocator();
    for (std::size_t bytes : {std::size_t(64), std::size_t(8) << 20}) {
      void* raw = allocator->raw_allocate(bytes);
      std::memset(raw, 1, bytes);
      allocator->raw_deallocate(raw);
    }
    releaseCachedHostMemory();
    QCOMPARE(hostMemoryStats().cached_bytes, std::size_t(0));
  }

  void cpuIsAlwaysAvailable() {
    QCOMPARE(resolveDevice("cpu"), std::string("cpu"));
    QVERIFY(!resolveDevice("auto").empty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resolveDevice("tpu"));
    if (!torch::cuda::is_available()) QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resolveDevice("cuda:0"));
  }
};

QTEST_APPLESS_MAIN(TestTorchRuntime)
#include "test_torch_runtime.moc"
