// Trainer parity with the reference: from ada's initial weights, the same batches and the same
// random generator state, four steps of gandl's trainer (main and lazy-regularisation phases of G
// and D, style mixing, path length, R1, geometric augmentation, Adam with ada's lazy-regularisation
// scaling, G EMA with ramp-up) must give the losses and weights that NVlabs/stylegan2-ada-pytorch's
// loss and training-loop logic gave (tests/model/data/make_trainer_reference.py wrote them).
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "core/model/trainer.h"
#include "tests/support/ada_reference.h"

using namespace gandl::model;
namespace common = gandl::common;
namespace fs = std::filesystem;

namespace {

// Batch k of training is the reference's batch k, whatever the seed.
class ReferenceBatches : public common::ImageSource {
 public:
  explicit ReferenceBatches(torch::Tensor reals) : reals_(std::move(reals)) {}
  std::size_t itemCount() const override { return static_cast<std::size_t>(reals_.size(0) * reals_.size(1)); }
  std::string itemId(std::size_t item) const override { return "reference" + std::to_string(item); }
  int resolution() const override { return static_cast<int>(reals_.size(3)); }
  int channels() const override { return static_cast<int>(reals_.size(2)); }
  std::string viewDescription() const override { return "reference batches"; }
  std::unique_ptr<common::BatchStream> trainingBatches(int batch, std::uint64_t, std::int64_t first,
                                                       const std::vector<int>& members) override {
    if (!members.empty()) throw std::runtime_error("reference batches are one process's");
    if (batch != reals_.size(1)) throw std::runtime_error("reference batches hold " + std::to_string(reals_.size(1)));
    return std::make_unique<Stream>(reals_, first);
  }
  std::unique_ptr<common::BatchStream> embeddingBatches(const std::vector<std::size_t>&, int) override {
    throw std::runtime_error("not for embedding");
  }

 private:
  struct Stream : common::BatchStream {
    Stream(torch::Tensor r, std::int64_t k) : reals(std::move(r)), next_(k) {}
    std::optional<common::HostBatch> next() override {
      if (next_ >= reals.size(0)) return std::nullopt;
      const auto batch = reals[next_].contiguous();
      common::HostBatch host;
      host.index = next_++;
      host.count = static_cast<int>(batch.size(0));
      host.channels = static_cast<int>(batch.size(1));
      host.height = static_cast<int>(batch.size(2));
      host.width = static_cast<int>(batch.size(3));
      host.pixels.assign(batch.data_ptr<float>(), batch.data_ptr<float>() + batch.numel());
      for (int i = 0; i < host.count; ++i) host.items.push_back(static_cast<std::size_t>(i));
      return host;
    }
    double waitedSeconds() const override { return 0.0; }
    torch::Tensor reals;
    std::int64_t next_;
  };
  torch::Tensor reals_;
};

TrainingConfig referenceConfig(const nlohmann::json& c) {
  TrainingConfig config;
  config.network.resolution = c["resolution"];
  config.network.z_dim = c["z_dim"];
  config.network.w_dim = c["w_dim"];
  config.network.channel_base = c["channel_base"];
  config.network.channel_max = c["channel_max"];
  config.batch = c["batch"];
  config.steps = c["steps"];
  config.g_lr = config.d_lr = c["lr"];
  config.r1_gamma = c["r1_gamma"];
  config.r1_interval = c["r1_interval"];
  config.pl_weight = c["pl_weight"];
  config.pl_interval = c["pl_interval"];
  config.pl_batch_shrink = c["pl_batch_shrink"];
  config.style_mixing = c["style_mixing"];
  config.ema_kimg = c["ema_kimg"];
  config.ema_rampup = c["ema_rampup"];
  config.augment = true;
  config.augment_shift = c["augment_shift"];
  config.log_every = 1;
  config.checkpoint_every = config.steps;
  config.sample_every = 1000;
  config.sample_count = 1;
  return config;
}

// Worst relative difference |a - b| / (|b| + floor) over a tensor; floor keeps near-zero
// entries from dominating.
double worstRelative(const torch::Tensor& ours, const torch::Tensor& reference, double floor) {
  return ((ours - reference).abs() / (reference.abs() + floor)).max().item<double>();
}

}  // namespace

class TestTrainerParity : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { configureThreads(2); }

  void fourStepsMatchTheReference() {
    const auto reference = gandl::test::loadAdaReference("ada_trainer_reference");
    QVERIFY2(!reference.empty(), "tests/model/data/ada_trainer_reference.{json,bin} missing or short");
    const auto& tensors = reference.tensors;
    const TrainingConfig config = referenceConfig(reference.meta["config"]);

    QTemporaryDir scratch;
    const fs::path runDir = fs::path(scratch.path().toStdString()) / "run";
    fs::create_directories(runDir);
    const RunDirectory run(runDir);
    {
      TrainingState state(config);
      QCOMPARE(gandl::test::loadByName(*state.generator, tensors, "init.G."), 0);
      QCOMPARE(gandl::test::loadByName(*state.generatorEma, tensors, "init.G."), 0);
      QCOMPARE(gandl::test::loadByName(*state.discriminator, tensors, "init.D."), 0);
      torch::manual_seed(reference.meta["config"]["rng_seed"].get<std::uint64_t>());
      run.writeConfig(config);
      saveCheckpoint(state, run.checkpointPath(0));  // carries the seeded generator state
      run.setLatest(0);
    }
    ReferenceBatches source(tensors.at("io.reals"));
    const auto result = train(config, runDir, source, "cpu", /*resume=*/true);
    QCOMPARE(result.step, config.steps);

    // Losses, logits and penalties of every step (metrics.jsonl, logged each step).
    std::ifstream in(run.metricsPath());
    std::string line;
    std::vector<nlohmann::json> ours;
    while (std::getline(in, line))
      if (!line.empty()) ours.push_back(nlohmann::json::parse(line));
    const auto& expected = reference.meta["metrics"];
    QCOMPARE(ours.size(), expected.size());
    double worstMetric = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      QCOMPARE(ours[i]["step"].get<int>(), expected[i]["step"].get<int>());
      for (const char* key : {"loss_g", "loss_d", "d_real", "d_fake", "r1_penalty", "pl_penalty"}) {
        const double a = ours[i][key], b = expected[i][key];
        const double relative = std::abs(a - b) / (std::abs(b) + 1e-6);
        worstMetric = std::max(worstMetric, relative);
        QVERIFY2(
            relative < 1e-4,
            qPrintable(
                QString("step %1 %2: gandl %3, reference %4").arg(i + 1).arg(key).arg(a, 0, 'g', 9).arg(b, 0, 'g', 9)));
      }
    }

    // Every weight of G, D and the EMA generator after the last step.
    TrainingState trained(config);
    loadCheckpoint(trained, run.checkpointPath(config.steps));
    double worstWeight = 0;
    int compared = 0;
    auto compare = [&](torch::nn::Module& module, const std::string& prefix) {
      for (const auto& item : module.named_parameters()) {
        const auto found = tensors.find(prefix + item.key());
        QVERIFY2(found != tensors.end(), qPrintable(QString::fromStdString(prefix + item.key())));
        // Adam moves each weight by about lr per step whatever its gradient's size, so the
        // floor is lr-scaled: a difference of 1e-3 lr in a weight near zero still counts.
        const double w = worstRelative(item.value().detach(), found->second, 1e-2);
        worstWeight = std::max(worstWeight, w);
        QVERIFY2(w < 1e-4, qPrintable(QString("%1%2 differs by %3 (relative)")
                                          .arg(QString::fromStdString(prefix), QString::fromStdString(item.key()))
                                          .arg(w)));
        ++compared;
      }
      for (const auto& item : module.named_buffers()) {  // w_avg, the const noise
        if (item.key().find("resample_filter") != std::string::npos) continue;
        const auto found = tensors.find(prefix + item.key());
        QVERIFY2(found != tensors.end(), qPrintable(QString::fromStdString(prefix + item.key())));
        const double w = worstRelative(item.value().detach(), found->second, 1e-2);
        worstWeight = std::max(worstWeight, w);
        QVERIFY2(w < 1e-4, qPrintable(QString::fromStdString(prefix + item.key())));
        ++compared;
      }
    };
    compare(*trained.generator, "final.G.");
    compare(*trained.discriminator, "final.D.");
    compare(*trained.generatorEma, "final.G_ema.");
    qInfo("parity: %d tensors, worst relative difference %.2e in metrics, %.2e in weights", compared, worstMetric,
          worstWeight);
  }
};

QTEST_GUILESS_MAIN(TestTrainerParity)
#include "test_trainer_parity.moc"
