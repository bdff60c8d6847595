// The trainer on a tiny network: run directory contents, exact resume, refusal to clobber or to
// resume another architecture, cancel leaving a checkpoint, and the embedder's invariance.
#include <QtTest>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <fstream>
#include <random>
#include <nlohmann/json.hpp>

#include "core/model/checkpoint.h"
#include "core/model/input_statistics.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/common/file_lock.h"
#include "core/model/trainer.h"
#include "tests/support/tiny_network.h"

using namespace gandl::model;
namespace common = gandl::common;
namespace fs = std::filesystem;

namespace {

// Deterministic blobs in memory: item i is a fixed image; batch k picks items from (seed, k).
class MemorySource : public common::ImageSource {
 public:
  // offsets: per-channel shift before tanh (empty: none), so the real channel means differ.
  MemorySource(int items, int resolution, std::vector<float> offsets = {}) : items_(items), resolution_(resolution) {
    auto generator = at::detail::createCPUGenerator(7);
    auto pre = torch::randn({items, 5, resolution, resolution}, generator) * 0.5;
    if (!offsets.empty()) pre = pre * 0.6 + torch::tensor(offsets).view({1, 5, 1, 1});
    images_ = torch::tanh(pre);
  }
  std::size_t itemCount() const override { return static_cast<std::size_t>(items_); }
  std::string itemId(std::size_t item) const override { return "item" + std::to_string(item); }
  int resolution() const override { return resolution_; }
  int channels() const override { return 5; }
  std::string viewDescription() const override { return "memory"; }

  std::unique_ptr<common::BatchStream> trainingBatches(int batch, std::uint64_t seed, std::int64_t first,
                                                       const std::vector<int>& members) override {
    auto stream = std::make_unique<Stream>(this, batch, seed, first, -1, std::vector<std::size_t>{});
    stream->members = members;
    return stream;
  }
  std::unique_ptr<common::BatchStream> embeddingBatches(const std::vector<std::size_t>& items, int batch) override {
    return std::make_unique<Stream>(this, batch, 0, 0, static_cast<std::int64_t>(items.size()), items);
  }

 private:
  struct Stream : common::BatchStream {
    Stream(MemorySource* s, int b, std::uint64_t drawSeed, std::int64_t k, std::int64_t count,
           std::vector<std::size_t> items)
        : source(s), batch(b), seed(drawSeed), next_(k), total(count), order(std::move(items)) {}
    std::optional<common::HostBatch> next() override {
      common::HostBatch host;
      host.index = next_;
      host.channels = 5;
      host.height = host.width = source->resolution_;
      if (total >= 0) {  // ordered, finite
        const std::int64_t begin = next_ * batch;
        if (begin >= total) return std::nullopt;
        for (std::int64_t i = begin; i < std::min<std::int64_t>(total, begin + batch); ++i)
          host.items.push_back(order[static_cast<std::size_t>(i)]);
      } else {
        std::vector<int> positions = members;
        if (positions.empty())
          for (int i = 0; i < batch; ++i) positions.push_back(i);
        for (int i : positions)
          host.items.push_back((seed * 31 + static_cast<std::uint64_t>(next_) * 17 + i * 7) % source->itemCount());
      }
      host.count = static_cast<int>(host.items.size());
      for (auto item : host.items) {
        const auto image = source->images_[static_cast<int64_t>(item)].contiguous();
        host.pixels.insert(host.pixels.end(), image.data_ptr<float>(), image.data_ptr<float>() + image.numel());
      }
      ++next_;
      return host;
    }
    double waitedSeconds() const override { return 0.0; }
    MemorySource* source;
    int batch;
    std::uint64_t seed;
    std::int64_t next_, total;
    std::vector<std::size_t> order;
    std::vector<int> members;  // positions of every training batch this stream delivers (empty: all)
  };

  int items_, resolution_;
  torch::Tensor images_;
};

TrainingConfig tinyConfig(std::int64_t steps) {
  TrainingConfig c = gandl::test::tinyTrainingConfig(4, steps);
  c.r1_interval = 2;  // exercise the lazy R1 phase within a few steps
  c.pl_weight = 2.0;  // and the path-length phase
  c.pl_interval = 2;
  c.log_every = 1;
  c.checkpoint_every = 2;
  c.sample_every = 2;
  c.sample_count = 4;
  c.keep_checkpoints = 2;
  c.seed = 11;
  return c;
}

std::vector<nlohmann::json> readMetrics(const fs::path& run) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(RunDirectory(run).metricsPath());
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

bool sameTensors(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  const auto ba = a.named_buffers(), bb = b.named_buffers();
  for (const auto& p : pa)
    if (!torch::equal(p.value(), pb[p.key()])) return false;
  for (const auto& x : ba)
    if (!torch::equal(x.value(), bb[x.key()])) return false;
  return true;
}

bool sameOptimizer(torch::optim::Adam& a, torch::optim::Adam& b) {
  const auto& pa = a.param_groups().at(0).params();
  const auto& pb = b.param_groups().at(0).params();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    const auto sa = a.state().find(c10::guts::to_string(pa[i].unsafeGetTensorImpl()));
    const auto sb = b.state().find(c10::guts::to_string(pb[i].unsafeGetTensorImpl()));
    if ((sa == a.state().end()) != (sb == b.state().end())) return false;
    if (sa == a.state().end()) continue;
    const auto& x = static_cast<const torch::optim::AdamParamState&>(*sa->second);
    const auto& y = static_cast<const torch::optim::AdamParamState&>(*sb->second);
    if (x.step() != y.step() || !torch::equal(x.exp_avg(), y.exp_avg()) ||
        !torch::equal(x.exp_avg_sq(), y.exp_avg_sq()))
      return false;
  }
  return true;
}

bool sameState(TrainingState& a, TrainingState& b) {
  return a.step == b.step && torch::equal(a.plMean, b.plMean) && sameTensors(*a.generator, *b.generator) &&
         sameTensors(*a.discriminator, *b.discriminator) && sameTensors(*a.generatorEma, *b.generatorEma) &&
         sameOptimizer(*a.generatorOptimizer, *b.generatorOptimizer) &&
         sameOptimizer(*a.discriminatorOptimizer, *b.discriminatorOptimizer);
}

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeBytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { configureThreads(2); }

  void runDirectoryHoldsWhatDesignPromises() {
    QTemporaryDir dir;
    const fs::path run = dir.filePath("run").toStdString();
    MemorySource source(10, 32);
    int samples = 0;
    TrainingCallbacks callbacks;
    callbacks.samples = [&](std::int64_t, const common::HostBatch& images) {
      ++samples;
      QCOMPARE(images.count, 4);
      QCOMPARE(images.channels, 5);
    };
    const auto result = train(tinyConfig(6), run, source, "cpu", false, {}, callbacks);
    QVERIFY(result.finished);
    QCOMPARE(result.step, std::int64_t(6));
    QCOMPARE(samples, 3);
    const RunDirectory r(run);
    QCOMPARE(r.checkpointSteps(), (std::vector<std::int64_t>{4, 6}));  // keep_checkpoints = 2
    QCOMPARE(*r.latestStep(), std::int64_t(6));
    QCOMPARE(r.readConfig().toJson(), tinyConfig(6).toJson());
    const auto metrics = readMetrics(run);
    QCOMPARE(metrics.size(), std::size_t(6));
    for (const auto& m : metrics) {
      QVERIFY(std::isfinite(m["loss_g"].get<double>()));
      QVERIFY(std::isfinite(m["loss_d"].get<double>()));
      QCOMPARE(m["fake_channels"]["mean"].size(), std::size_t(5));
    }
    QVERIFY(metrics[1]["r1_penalty"].get<double>() >= 0.0);
  }

  // Plain, and with the contrastive term on pairs of sites and on pairs of augmentations (its
  // pairs come from a stream keyed by step, its augmentations from the run's random stream).
  void resumedRunMatchesAnUninterruptedOne_data() {
    QTest::addColumn<QString>("contrastive");
    QTest::addColumn<QString>("precision");
    QTest::newRow("plain") << ""
                           << "fp32";
    QTest::newRow("contrastive-site") << "site"
                                      << "fp32";
    QTest::newRow("contrastive-image") << "image"
                                       << "fp32";
    QTest::newRow("bf16") << ""
                          << "bf16";
    QTest::newRow("bf16-contrastive-site") << "site"
                                           << "bf16";
  }
  void resumedRunMatchesAnUninterruptedOne() {
    QFETCH(QString, contrastive);
    QFETCH(QString, precision);
    QTemporaryDir dir;
    MemorySource source(10, 32);
    const fs::path straight = dir.filePath("straight").toStdString();
    const fs::path split = dir.filePath("split").toStdString();
    const auto config = [&](std::int64_t steps) {
      auto c = tinyConfig(steps);
      c.precision = precision.toStdString();
      if (!contrastive.isEmpty()) {
        c.contrastive_weight = 0.5;
        c.contrastive_pairs = contrastive.toStdString();
      }
      return c;
    };
    train(config(6), straight, source, "cpu", false);
    train(config(4), split, source, "cpu", false);
    // A crashed run may have logged past its last checkpoint: simulate a stray line.
    RunDirectory(split).appendMetrics(R"({"step": 5, "loss_g": 123})");
    const auto result = train(config(6), split, source, "cpu", true);
    QCOMPARE(result.step, std::int64_t(6));
    const auto a = readMetrics(straight), b = readMetrics(split);
    QCOMPARE(b.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      QCOMPARE(b[i]["step"], a[i]["step"]);
      QCOMPARE(b[i]["loss_g"].get<double>(), a[i]["loss_g"].get<double>());
      QCOMPARE(b[i]["loss_d"].get<double>(), a[i]["loss_d"].get<double>());
      QCOMPARE(b[i]["pl_penalty"].get<double>(), a[i]["pl_penalty"].get<double>());
      QCOMPARE(b[i].contains("contrastive_loss"), !contrastive.isEmpty());
      if (!contrastive.isEmpty()) {
        QVERIFY(a[i]["contrastive_loss"].get<double>() > 0);
        QCOMPARE(b[i]["contrastive_loss"].get<double>(), a[i]["contrastive_loss"].get<double>());
      }
    }
  }

  // bf16 changes the arithmetic (the losses are not fp32's to the bit: autocast is in effect in
  // every phase, the R1 and path-length double backward included) and not the training (the
  // same run's losses stay within bfloat16's precision of fp32's); the arithmetic is
  // restored after the run.
  void bf16RunFollowsTheFp32One() {
    QTemporaryDir dir;
    MemorySource source(10, 32);
    auto config = tinyConfig(3);
    train(config, dir.filePath("fp32").toStdString(), source, "cpu", false);
    config.precision = "bf16";
    train(config, dir.filePath("bf16").toStdString(), source, "cpu", false);
    QVERIFY(!at::autocast::is_cpu_enabled());
    const auto a = readMetrics(dir.filePath("fp32").toStdString());
    const auto b = readMetrics(dir.filePath("bf16").toStdString());
    QCOMPARE(b.size(), a.size());
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i)
      for (const char* key : {"loss_g", "loss_d", "r1_penalty", "pl_penalty"}) {
        const double x = a[i][key].get<double>(), y = b[i][key].get<double>();
        QVERIFY2(std::isfinite(y), key);
        QVERIFY2(std::abs(x - y) <= 0.05 * std::abs(x) + 0.02,
                 (std::string(key) + " fp32 " + std::to_string(x) + " bf16 " + std::to_string(y)).c_str());
        differs = differs || x != y;
      }
    QVERIFY(differs);
  }

  void refusesToClobberOrToResumeAnotherArchitecture() {
    QTemporaryDir dir;
    MemorySource source(6, 32);
    const fs::path run = dir.filePath("run").toStdString();
    train(tinyConfig(2), run, source, "cpu", false);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, train(tinyConfig(4), run, source, "cpu", false));
    auto other = tinyConfig(4);
    other.network.channel_max = 16;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, train(other, run, source, "cpu", true));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             train(tinyConfig(2), dir.filePath("empty").toStdString(), source, "cpu", true));
    MemorySource wrongSize(6, 64);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             train(tinyConfig(2), dir.filePath("x").toStdString(), wrongSize, "cpu", false));
    // A run folder in use by another training (its lock held) is refused, by name, untouched.
    const auto before = RunDirectory(run).checkpointSteps();
    {
      const gandl::common::FileLock held(run / ".lock", "test");
      try {
        train(tinyConfig(4), run, source, "cpu", true);
        QFAIL("expected the locked run to be refused");
      } catch (const std::runtime_error& e) {
        QVERIFY2(std::string(e.what()).find("in use by another process") != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find(run.string()) != std::string::npos, e.what());
      }
      QCOMPARE(RunDirectory(run).checkpointSteps(), before);
    }
    train(tinyConfig(4), run, source, "cpu", true);  // released: the resume runs
    QCOMPARE(*RunDirectory(run).latestStep(), std::int64_t{4});
  }

  void cancelWritesACheckpointOfTheCurrentStep() {
    QTemporaryDir dir;
    MemorySource source(6, 32);
    const fs::path run = dir.filePath("run").toStdString();
    gandl::tasks::CancelToken token;
    auto config = tinyConfig(5);
    config.checkpoint_every = 100;
    gandl::tasks::TaskContext context(
        [&](const gandl::tasks::ProgressUpdate& u) {
          if (u.done >= 3) token.cancel();
        },
        &token);
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled, train(config, run, source, "cpu", false, context));
    QCOMPARE(*RunDirectory(run).latestStep(), std::int64_t(3));
    const auto resumed = train(tinyConfig(4), run, source, "cpu", true);
    QCOMPARE(resumed.step, std::int64_t(4));  // the requested steps are honoured on resume
    // Resuming to a step the run has already reached is refused, by name.
    try {
      train(tinyConfig(4), run, source, "cpu", true);
      QFAIL("expected a resume to step 4 of a run at step 4 to be refused");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("not beyond the latest checkpoint") != std::string::npos, e.what());
    }
  }

  // Learning, not merely changing losses: on images whose five channels have clearly different
  // means, the generated images' channel means move toward the real ones, and D scores real
  // images above generated ones.
  // With and without input standardisation (NetworkConfig::input_mean / input_scale, measured on
  // the source as `gandl train --normalize-input` does): G learns the real channel means.
  void shortRunLearnsTheChannelStatistics_data() {
    QTest::addColumn<bool>("standardise");
    QTest::newRow("raw") << false;
    QTest::newRow("standardised") << true;
  }
  void shortRunLearnsTheChannelStatistics() {
    QFETCH(bool, standardise);
    QTemporaryDir dir;
    MemorySource source(64, 32, {-1.2f, -0.4f, 0.f, 0.5f, 1.0f});
    const fs::path run = dir.filePath("run").toStdString();
    auto config = tinyConfig(50);
    if (standardise) {
      const auto statistics = measureChannelStatistics(source, 256, 5);
      config.network.input_mean = statistics.mean;
      config.network.input_scale = statistics.sd;
    }
    config.batch = 8;
    config.pl_weight = 0;
    config.r1_interval = 16;
    config.checkpoint_every = 1000;
    config.sample_every = 1000;
    train(config, run, source, "cpu", false);
    const auto metrics = readMetrics(run);
    QCOMPARE(metrics.size(), std::size_t(50));
    const auto gap = [](const nlohmann::json& line) {
      double sum = 0;
      for (int c = 0; c < 5; ++c)
        sum +=
            std::abs(line["fake_channels"]["mean"][c].get<double>() - line["real_channels"]["mean"][c].get<double>());
      return sum / 5;
    };
    const auto average = [&](std::size_t first, std::size_t count, auto f) {
      double sum = 0;
      for (std::size_t i = first; i < first + count; ++i) sum += f(metrics[i]);
      return sum / static_cast<double>(count);
    };
    const double early = average(0, 3, gap);
    const double late = average(metrics.size() - 10, 10, gap);
    QVERIFY2(late < 0.5 * early, (std::to_string(early) + " -> " + std::to_string(late)).c_str());
    const double separation = average(metrics.size() - 20, 20, [](const nlohmann::json& line) {
      return line["d_real"].get<double>() - line["d_fake"].get<double>();
    });
    qInfo("channel-mean gap %.3f -> %.3f, D real - fake %.3f", early, late, separation);
    QVERIFY2(separation > 0, std::to_string(separation).c_str());
  }

  // The statistics are every pixel's mean and sd per channel, read from a stream of their own.
  void channelStatisticsOfASource() {
    MemorySource source(64, 32, {-1.2f, -0.4f, 0.f, 0.5f, 1.0f});
    const auto statistics = measureChannelStatistics(source, 100, 5);
    QCOMPARE(statistics.images, std::int64_t(112));  // whole batches of 16
    QCOMPARE(statistics.mean.size(), std::size_t(5));
    // The same images read again, measured with torch: the exact figures.
    auto stream = source.trainingBatches(16, 5 ^ 0x9e3779b97f4a7c15ULL, 0, {});
    std::vector<torch::Tensor> batches;
    for (int k = 0; k < 7; ++k) {
      auto host = stream->next();
      batches.push_back(torch::from_blob(host->pixels.data(), {host->count, 5, 32, 32}).clone());
    }
    const auto all = torch::cat(batches).to(torch::kDouble).transpose(0, 1).reshape({5, -1});
    for (int c = 0; c < 5; ++c) {
      QVERIFY(std::abs(statistics.mean[c] - all[c].mean().item<double>()) < 1e-9);
      QVERIFY(std::abs(statistics.sd[c] - all[c].std(false).item<double>()) < 1e-9);
      if (c > 0) QVERIFY(statistics.mean[c] > statistics.mean[c - 1]);  // the offsets' order
    }
  }

  void discriminatorLoadsForEmbedding() {
    QTemporaryDir dir;
    MemorySource source(6, 32);
    const fs::path run = dir.filePath("run").toStdString();
    train(tinyConfig(2), run, source, "cpu", false);
    std::int64_t step = 0;
    auto d = loadDiscriminator(run, torch::kCPU, &step);
    QCOMPARE(step, std::int64_t(2));
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({3, 5, 32, 32});
    const auto all = d->embed(x);
    QCOMPARE(all.size(1), std::int64_t(32));
    QVERIFY(torch::allclose(d->embed(x.narrow(0, 1, 1)), all.narrow(0, 1, 1), 1e-5, 1e-5));
  }

  // Issue 12 item 8: a byte flipped anywhere in a training checkpoint or an inference export is
  // refused with the file's name, or changes nothing that is loaded.
  void everyFlippedByteOfACheckpointIsRefusedOrHarmless() {
    QTemporaryDir dir;
    MemorySource source(6, 32);
    const fs::path run = dir.filePath("run").toStdString();
    const auto config = tinyConfig(2);
    train(config, run, source, "cpu", false);
    const fs::path checkpoint = RunDirectory(run).checkpointPath(2);
    TrainingState original(config);
    loadCheckpoint(original, checkpoint);
    const fs::path exported = exportInferenceCheckpoint(run, dir.filePath("model").toStdString(), false);
    auto originalD = loadDiscriminatorFile(exported, config.network, torch::kCPU);

    std::mt19937 random(5);
    int refused = 0, trials = 0;
    for (const fs::path& file : {checkpoint, exported}) {
      const std::string bytes = readBytes(file);
      const fs::path copy = dir.filePath("flipped.pt").toStdString();
      for (int trial = 0; trial < 40; ++trial, ++trials) {
        std::string damaged = bytes;
        const std::size_t at = random() % damaged.size();
        damaged[at] = static_cast<char>(damaged[at] ^ (1 + random() % 255));
        writeBytes(copy, damaged);
        try {
          if (file == checkpoint) {
            TrainingState loaded(config);
            loadCheckpoint(loaded, copy);
            QVERIFY2(sameState(loaded, original), qPrintable(QString("flip at byte %1 changed the state").arg(at)));
          } else {
            auto d = loadDiscriminatorFile(copy, config.network, torch::kCPU);
            QVERIFY2(sameTensors(*d, *originalD), qPrintable(QString("flip at byte %1 changed D").arg(at)));
          }
        } catch (const std::runtime_error& error) {
          ++refused;
          QVERIFY2(std::string(error.what()).find(copy.string()) != std::string::npos, error.what());
        }
      }
    }
    qInfo("%d of %d flips refused, the rest changed nothing loaded", refused, trials);
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
