// Data-parallel training over c10d (Gloo on loopback): the split of a global batch over ranks, the
// per-image draws that make a step independent of that split, and `gandl train` itself: two ranks
// train the weights one process trains, a job resumes under another world size, a killed rank
// stops the others with a message within seconds, and a job that cannot start says which rank.
#include <QtTest>

#include <torch/torch.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>

#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/sample_draws.h"
#include "core/model/world.h"

using namespace gandl::model;
namespace fs = std::filesystem;

namespace {

const QString kGandl = QStringLiteral(GANDL_BINARY_DIR "/app/gandl/gandl");

// A small network on 32 px resized sites; R1 every 2 steps so its phase runs on the ranks too.
// Adam's epsilon is raised from 1e-8 to 1e-3: with 1e-8 the first update is lr * g / |g| for
// every gradient, so a gradient near zero whose last bits differ by rounding moves its weight by
// up to lr (0.0025) one way or the other (seen: 6e-5 in one affine weight after one step, every
// other weight within 1e-7). With 1e-3 the update is a smooth function of the gradient and the
// comparison measures the computation, not Adam's amplification of rounding.
QStringList trainArguments(const fs::path& screen, const fs::path& run, int steps) {
  return {"train",
          QString::fromStdString(screen.string()),
          "--run",
          QString::fromStdString(run.string()),
          "--resolution",
          "32",
          "--channel-base",
          "256",
          "--channel-max",
          "32",
          "--batch",
          "8",
          "--steps",
          QString::number(steps),
          "--r1-interval",
          "2",
          "--checkpoint-every",
          "1",
          "--keep",
          "10",
          "--log-every",
          "1",
          "--view",
          "resize",
          "--seed",
          "5",
          "--threads",
          "1",
          "--loader-threads",
          "1",
          "--adam-eps",
          "1e-3"};
}

struct Outcome {
  int exitCode = -1;
  QString err;
};

Outcome runGandl(QStringList arguments,
                 const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment(),
                 int timeoutMs = 120000) {
  arguments.insert(1, "--data");  // trainArguments leaves the screen right after the command
  QProcess process;
  process.setProcessEnvironment(environment);
  process.start(kGandl, arguments);
  Outcome outcome;
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished();
    outcome.err = "timed out: " + QString::fromUtf8(process.readAllStandardError());
    return outcome;
  }
  outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  outcome.err = QString::fromUtf8(process.readAllStandardError());
  return outcome;
}

// The largest difference between two checkpoints' weights (G, D, G EMA) and Adam moments; `where`
// names the tensor.
double largestDifference(const fs::path& a, const fs::path& b, std::string* where = nullptr) {
  const auto config = RunDirectory(a.parent_path()).readConfig();
  TrainingState x(config), y(config);
  loadCheckpoint(x, a);
  loadCheckpoint(y, b);
  double largest = 0;
  const auto note = [&](double difference, const std::string& name) {
    if (difference <= largest) return;
    largest = difference;
    if (where) *where = name;
  };
  const auto compare = [&](const torch::nn::Module& p, const torch::nn::Module& q, const std::string& module) {
    const auto qs = q.named_parameters();
    for (const auto& item : p.named_parameters())
      note((item.value() - qs[item.key()]).abs().max().item<double>(), module + item.key());
    const auto qb = q.named_buffers();
    for (const auto& item : p.named_buffers())
      note((item.value() - qb[item.key()]).abs().max().item<double>(), module + item.key());
  };
  compare(*x.generator, *y.generator, "G.");
  compare(*x.discriminator, *y.discriminator, "D.");
  compare(*x.generatorEma, *y.generatorEma, "G_ema.");
  const auto moments = [](torch::optim::Adam& adam) {
    std::vector<torch::Tensor> out;
    for (auto& p : adam.param_groups().at(0).params()) {
      const auto found = adam.state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (found == adam.state().end()) continue;
      const auto& s = static_cast<const torch::optim::AdamParamState&>(*found->second);
      out.push_back(s.exp_avg());
      out.push_back(s.exp_avg_sq().sqrt());
    }
    return out;
  };
  for (auto [p, q] : {std::pair{x.generatorOptimizer.get(), y.generatorOptimizer.get()},
                      std::pair{x.discriminatorOptimizer.get(), y.discriminatorOptimizer.get()}}) {
    const auto mp = moments(*p), mq = moments(*q);
    if (mp.size() != mq.size()) return 1e9;
    for (std::size_t i = 0; i < mp.size(); ++i)
      note((mp[i] - mq[i]).abs().max().item<double>(), "Adam moment " + std::to_string(i));
  }
  return largest;
}

class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(std::vector<std::pair<const char*, const char*>> values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value)
        ::setenv(name, value, 1);
      else
        ::unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

class TestDistributed : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path root_, screen_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    root_ = dir_.path().toStdString();
    screen_ = root_ / "screen";
    QProcess synth;
    synth.start(kGandl,
                {"synth", "--out", QString::fromStdString(screen_.string()), "--preset", "demo", "--seed", "3"});
    QVERIFY(synth.waitForFinished(120000));
    QCOMPARE(synth.exitCode(), 0);
  }

  void ranksSplitTheBatchInWholeStddevGroups() {
    // One process: every position, in order.
    std::vector<int> all(16);
    std::iota(all.begin(), all.end(), 0);
    QCOMPARE(rankMembers(16, 4, 0, 1), all);
    for (int size : {2, 4}) {
      std::set<int> seen;
      for (int rank = 0; rank < size; ++rank) {
        const auto members = rankMembers(16, 4, rank, size);
        QCOMPARE(members.size(), std::size_t(16 / size));
        // The rank's own strided groups (local i, i + m', ...) are the global batch's groups
        // (global j, j + 4, j + 8, j + 12: the same j % 4).
        const int localGroups = static_cast<int>(members.size()) / 4;
        for (std::size_t i = 0; i < members.size(); ++i) {
          QCOMPARE(members[i] % 4, members[i % static_cast<std::size_t>(localGroups)] % 4);
          QVERIFY(seen.insert(members[i]).second);
        }
      }
      QCOMPARE(seen.size(), std::size_t(16));
    }
    QCOMPARE(rankMembers(16, 4, 1, 2), (std::vector<int>{2, 3, 6, 7, 10, 11, 14, 15}));
    // A batch that cannot be split in whole groups is refused, saying what would work.
    try {
      rankMembers(16, 4, 0, 8);
      QFAIL("16 images over 8 ranks in groups of 4 accepted");
    } catch (const std::invalid_argument& e) {
      QVERIFY2(QString(e.what()).contains("multiple of 32"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, rankMembers(16, 4, 2, 2));
  }

  void theEnvironmentDescribesTheWorld() {
    {
      ScopedEnvironment env({{"WORLD_SIZE", nullptr}, {"RANK", nullptr}});
      const World world = worldFromEnvironment();
      QCOMPARE(world.size, 1);
      QVERIFY(!world.distributed());
    }
    {
      ScopedEnvironment env({{"WORLD_SIZE", "4"},
                             {"RANK", "3"},
                             {"LOCAL_RANK", "1"},
                             {"LOCAL_WORLD_SIZE", "2"},
                             {"MASTER_ADDR", "node7"},
                             {"MASTER_PORT", "29600"}});
      const World world = worldFromEnvironment();
      QCOMPARE(world.rank, 3);
      QCOMPARE(world.size, 4);
      QCOMPARE(world.local_rank, 1);
      QCOMPARE(world.local_size, 2);
      QCOMPARE(world.master_addr, std::string("node7"));
      QCOMPARE(world.master_port, 29600);
    }
    const auto refused = [](std::vector<std::pair<const char*, const char*>> values, const char* named) {
      ScopedEnvironment env(std::move(values));
      try {
        worldFromEnvironment();
      } catch (const std::invalid_argument& e) {
        return QString(e.what()).contains(named);
      }
      return false;
    };
    QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}, "RANK is '2'"));
    QVERIFY(refused({{"WORLD_SIZE", "two"}, {"RANK", "0"}}, "WORLD_SIZE is 'two'"));
    QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", nullptr}, {"MASTER_PORT", nullptr}},
                    "MASTER_ADDR"));
    QVERIFY(refused({{"WORLD_SIZE", nullptr}, {"RANK", "1"}}, "WORLD_SIZE is not set"));
    QVERIFY(refused({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}},
                    "MASTER_PORT is '70000'"));
  }

  void everyImageDrawsFromItsOwnStream() {
    SampleDraws whole(5, 3, 1, {0, 1, 2, 3});
    SampleDraws part(5, 3, 1, {1, 3});
    const auto a = whole.randn({6});
    const auto b = part.randn({6});
    QVERIFY(torch::equal(a[1], b[0]));
    QVERIFY(torch::equal(a[3], b[1]));
    QVERIFY(!torch::equal(a[0], a[1]));
    // Later draws continue each image's stream, whatever the others drew.
    QVERIFY(torch::equal(whole.randint(100, {3})[3], part.randint(100, {3})[1]));
    // The batch-wide stream is the same for any split; another step or phase draws anew.
    QVERIFY(torch::equal(torch::rand({2}, whole.shared()), torch::rand({2}, part.shared())));
    SampleDraws nextStep(5, 4, 1, {1});
    QVERIFY(!torch::equal(nextStep.randn({6})[0], SampleDraws(5, 3, 1, {1}).randn({6})[0]));
    SampleDraws otherPhase(5, 3, 2, {1});
    QVERIFY(!torch::equal(otherPhase.randn({6})[0], SampleDraws(5, 3, 1, {1}).randn({6})[0]));
  }

  // The claim of the design: N ranks with per-rank batches B / N compute the one-process step of
  // batch B. Not bit for bit: the ranks' gradients are averaged by an all-reduce, whose float32
  // sums round in another order than one process's batch mean. Measured: the weights, EMA and
  // Adam moments agree to 7.6e-6 after 1-3 steps, one float32 ulp of the mapping network's stored
  // weights (equalised learning rate with multiplier 0.01 stores them 100x larger, |w| in
  // [64, 128), where an ulp is 2^-17); the tolerance is 1e-5.
  void twoRanksTrainTheWeightsOneProcessTrains() {
    const fs::path one = root_ / "one", two = root_ / "two";
    auto keyed = trainArguments(screen_, one, 3);
    keyed << "--draws"
          << "keyed";
    const Outcome single = runGandl(keyed);
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    auto ranks = trainArguments(screen_, two, 3);
    ranks << "--nproc"
          << "2";
    const Outcome job = runGandl(ranks);
    QVERIFY2(job.exitCode == 0, qPrintable(job.err));
    QVERIFY2(job.err.contains("train[0]") && !job.err.contains("train[1]"), qPrintable(job.err));  // rank 0 reports
    QCOMPARE(RunDirectory(two).readConfig().draws, std::string("keyed"));  // chosen for a new job
    for (int step = 1; step <= 3; ++step) {
      std::string where;
      const double difference =
          largestDifference(RunDirectory(one).checkpointPath(step), RunDirectory(two).checkpointPath(step), &where);
      qInfo("step %d: largest difference %.3g in %s", step, difference, where.c_str());
      QVERIFY2(difference < 1e-5,
               qPrintable(QString("step %1: %2 in %3").arg(step).arg(difference).arg(QString::fromStdString(where))));
    }
    // The sanity check that the comparison can fail: another seed trains other weights.
    auto other = trainArguments(screen_, root_ / "other", 1);
    other << "--draws"
          << "keyed";
    other[other.indexOf("--seed") + 1] = "6";
    QCOMPARE(runGandl(other).exitCode, 0);
    QVERIFY(largestDifference(RunDirectory(one).checkpointPath(1), RunDirectory(root_ / "other").checkpointPath(1)) >
            1e-3);
    // Metrics are written by rank 0 alone, with the world size.
    std::ifstream metrics(RunDirectory(two).metricsPath());
    std::string line;
    int lines = 0;
    while (std::getline(metrics, line)) {
      ++lines;
      QVERIFY2(line.find("\"ranks\":2") != std::string::npos, line.c_str());
    }
    QCOMPARE(lines, 3);
  }

  // A job stopped after step 2 on two ranks goes on as one process to the weights of an
  // uninterrupted one-process run.
  void aJobResumesUnderAnotherWorldSize() {
    const fs::path run = root_ / "resumed";
    auto first = trainArguments(screen_, run, 2);
    first << "--nproc"
          << "2";
    QCOMPARE(runGandl(first).exitCode, 0);
    auto rest = trainArguments(screen_, run, 3);
    rest << "--resume";
    const Outcome resumed = runGandl(rest);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    const double difference =
        largestDifference(RunDirectory(root_ / "one").checkpointPath(3), RunDirectory(run).checkpointPath(3));
    QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
    // A run in ada's single stream cannot continue on several ranks, and says why.
    const fs::path stream = root_ / "stream";
    QCOMPARE(runGandl(trainArguments(screen_, stream, 1)).exitCode, 0);
    auto more = trainArguments(screen_, stream, 2);
    more << "--resume"
         << "--nproc"
         << "2";
    const Outcome refused = runGandl(more);
    QVERIFY(refused.exitCode != 0);
    QVERIFY2(refused.err.contains("only one process can continue"), qPrintable(refused.err));
    QVERIFY2(refused.err.contains("rank 1 of 2"), qPrintable(refused.err));  // the launcher names the ranks
  }

  // SIGKILL one rank mid-run: the other fails at its next collective with a message, in seconds.
  void aKilledRankStopsTheOthers() {
    const fs::path run = root_ / "killed";
    auto arguments = trainArguments(screen_, run, 100000);
    arguments << "--draws"
              << "keyed";
    arguments.insert(1, "--data");
    QProcess ranks[2];
    for (int rank = 0; rank < 2; ++rank) {
      auto environment = QProcessEnvironment::systemEnvironment();
      environment.insert("WORLD_SIZE", "2");
      environment.insert("RANK", QString::number(rank));
      environment.insert("MASTER_ADDR", "127.0.0.1");
      environment.insert("MASTER_PORT", QString::number(29400 + (::getpid() % 500)));
      ranks[rank].setProcessEnvironment(environment);
      ranks[rank].start(kGandl, arguments);
      QVERIFY(ranks[rank].waitForStarted());
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(RunDirectory(run).checkpointPath(2)) && std::chrono::steady_clock::now() < deadline)
      QThread::msleep(50);
    QVERIFY2(fs::exists(RunDirectory(run).checkpointPath(2)),
             qPrintable(QString::fromUtf8(ranks[0].readAllStandardError())));
    ranks[1].kill();  // SIGKILL: no goodbye
    const auto killed = std::chrono::steady_clock::now();
    QVERIFY(ranks[0].waitForFinished(30000));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
    ranks[1].waitForFinished();
    QVERIFY2(seconds < 30, qPrintable(QString::number(seconds)));
    QCOMPARE(ranks[0].exitCode(), 1);
    const QString err = QString::fromUtf8(ranks[0].readAllStandardError());
    QVERIFY2(err.contains("rank 0 of 2: another rank stopped answering") && err.contains("--resume"), qPrintable(err));
    QVERIFY(RunDirectory(run).latestStep().value_or(0) >= 2);  // what was written stays
  }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
