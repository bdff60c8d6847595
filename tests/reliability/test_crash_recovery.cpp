// Nothing lost, nothing wrong (docs/reliability.md): `gandl embed`, `gandl analyze` and
// `gandl train` killed at every injected point of the store and checkpoint writers (GANDL_FAULT,
// core/common/fault_injection.h), and by a real SIGKILL at arbitrary instants, or failing on an injected full disk,
// then run again: the result equals an uninterrupted run, and no complete-looking store is ever wrong.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <QDir>

#include <map>
#include <thread>

#include "core/data/data_error.h"
#include "core/store/embedding_store.h"

namespace fs = std::filesystem;
using gandl::store::EmbeddingStore;
using gandl::store::RowMatrix;

namespace {

struct Run {
  int exitCode = -1;
  QByteArray err;
};

Run runGandl(const QStringList& arguments, const QString& fault = {}, int killAfterMs = -1) {
  QProcess process;
  auto environment = QProcessEnvironment::systemEnvironment();
  environment.remove("GANDL_FAULT");
  if (!fault.isEmpty()) environment.insert("GANDL_FAULT", fault);
  process.setProcessEnvironment(environment);
  process.start(QStringLiteral(GANDL_BINARY_DIR "/app/gandl/gandl"), arguments);
  process.waitForStarted();
  if (killAfterMs >= 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(killAfterMs));
    process.kill();  // SIGKILL
  }
  if (!process.waitForFinished(120000)) process.kill();
  process.waitForFinished();
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -9, process.readAllStandardError()};
}

// Every site's row, by site_id (a resumed run may store the plates in another order).
std::map<std::string, std::vector<float>> rowsBySite(const fs::path& path, const std::string& embedding = {}) {
  const auto store = EmbeddingStore::open(path);
  const RowMatrix x = store.readAll(embedding);
  std::map<std::string, std::vector<float>> rows;
  for (std::size_t i = 0; i < store.size(); ++i) {
    const auto row = x.row(static_cast<Eigen::Index>(i));
    rows[store.siteIds()[i]] = std::vector<float>(row.data(), row.data() + row.size());
  }
  return rows;
}

// step -> (loss_g, loss_d) of a run's metrics.jsonl.
std::map<int, std::pair<double, double>> lossesOf(const QString& run) {
  QFile file(run + "/metrics.jsonl");
  std::map<int, std::pair<double, double>> losses;
  if (!file.open(QIODevice::ReadOnly)) return losses;
  for (const QByteArray& line : file.readAll().split('\n')) {
    if (line.trimmed().isEmpty()) continue;
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    losses[o["step"].toInt()] = {o["loss_g"].toDouble(), o["loss_d"].toDouble()};
  }
  return losses;
}

}  // namespace

class TestCrashRecovery : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  fs::path screen_;
  fs::path reference_;
  std::map<std::string, std::vector<float>> expected_;

  fs::path file(const char* name) const { return fs::path(dir_.filePath(name).toStdString()); }
  QStringList embedInto(const fs::path& out) const {
    return {"embed",     "--data", QString::fromStdString(screen_.string()), "--embedder",
            "intensity", "--out",  QString::fromStdString(out.string())};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    screen_ = file("screen");
    // What a killed synth leaves (pid 999999 runs nowhere here): removed by the next synth.
    const fs::path stale = file("screen.partial-999999");
    fs::create_directories(stale / "images");
    const Run synth =
        runGandl({"synth", "--out", QString::fromStdString(screen_.string()), "--preset", "demo", "--seed", "3"});
    QVERIFY2(synth.exitCode == 0, synth.err.constData());
    QVERIFY(!fs::exists(stale));
    reference_ = file("reference.h5ad");
    const Run embed = runGandl(embedInto(reference_));
    QVERIFY2(embed.exitCode == 0, embed.err.constData());
    expected_ = rowsBySite(reference_);
    QCOMPARE(expected_.size(), std::size_t(768));
  }

  void killedOrFullDiskAtEveryStoreWriteThenResumed_data() {
    QTest::addColumn<QString>("fault");
    QTest::addColumn<bool>("fullDisk");
    // The demo screen has 4 plates: one plate file each, then the assembled store.
    for (const char* point : {"store-plate-write", "store-plate-rename"})
      for (int pass = 1; pass <= 4; ++pass)
        QTest::addRow("kill at %s #%d", point, pass) << QString("%1:%2").arg(point).arg(pass) << false;
    QTest::addRow("kill while assembling") << "store-finish-write:1" << false;
    QTest::addRow("kill before the rename") << "store-finish-rename:1" << false;
    QTest::addRow("full disk at plate 3") << "store-plate-write:3:enospc" << true;
    QTest::addRow("full disk while assembling") << "store-finish-write:1:enospc" << true;
  }

  void killedOrFullDiskAtEveryStoreWriteThenResumed() {
    QFETCH(QString, fault);
    QFETCH(bool, fullDisk);
    const fs::path out = file("faulted.h5ad");
    fs::remove(out);
    fs::remove_all(out.string() + ".partial");
    const Run failed = runGandl(embedInto(out), fault);
    if (fullDisk) {
      QCOMPARE(failed.exitCode, 1);
      QVERIFY2(failed.err.contains("No space left on device") && failed.err.contains("run the same command again"),
               failed.err.constData());
    } else {
      QVERIFY2(failed.exitCode == 137, failed.err.constData());
    }
    QVERIFY2(!fs::exists(out), "a failed run published a store");
    const Run again = runGandl(embedInto(out));
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QVERIFY(!fs::exists(out.string() + ".partial"));
    QVERIFY(rowsBySite(out) == expected_);
  }

  void realKillsAtArbitraryInstants() {
    const fs::path out = file("killed.h5ad");
    fs::remove(out);
    fs::remove_all(out.string() + ".partial");
    int interrupted = 0;
    for (const int ms : {5, 40, 90, 150, 260, 400}) {
      const Run killed = runGandl(embedInto(out), {}, ms);
      if (killed.exitCode == 0) break;  // this machine finished before the kill
      ++interrupted;
      QVERIFY2(!fs::exists(out), "a killed run published a store");
    }
    const Run again = runGandl(embedInto(out));
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QVERIFY(rowsBySite(out) == expected_);
    qInfo("%d of 6 kills interrupted the run", interrupted);
  }

  void trainingKilledOrFullDiskAtACheckpointResumesExactly_data() {
    QTest::addColumn<QString>("fault");
    QTest::addColumn<bool>("fullDisk");
    QTest::addRow("kill at the second checkpoint") << "checkpoint-write:2" << false;
    QTest::addRow("full disk at the second checkpoint") << "checkpoint-write:2:enospc" << true;
  }

  void trainingKilledOrFullDiskAtACheckpointResumesExactly() {
    QFETCH(QString, fault);
    QFETCH(bool, fullDisk);
    const QStringList tiny = {"--data",
                              QString::fromStdString(screen_.string()),
                              "--device",
                              "cpu",
                              "--threads",
                              "1",
                              "--resolution",
                              "32",
                              "--channel-base",
                              "512",
                              "--channel-max",
                              "32",
                              "--z-dim",
                              "32",
                              "--w-dim",
                              "32",
                              "--batch",
                              "4",
                              "--log-every",
                              "1",
                              "--checkpoint-every",
                              "2",
                              "--sample-every",
                              "100",
                              "--seed",
                              "3"};
    const QString reference = dir_.filePath("train-reference");
    if (!QFileInfo::exists(reference)) {
      const Run straight = runGandl(QStringList{"train", "--run", reference, "--steps", "6"} + tiny);
      QVERIFY2(straight.exitCode == 0, straight.err.constData());
    }
    const QString run = dir_.filePath("train-faulted");
    QDir(run).removeRecursively();
    const Run failed = runGandl(QStringList{"train", "--run", run, "--steps", "6"} + tiny, fault);
    if (fullDisk) {
      QCOMPARE(failed.exitCode, 1);
      QVERIFY2(failed.err.contains("No space left on device") && failed.err.contains("resume"), failed.err.constData());
    } else {
      QVERIFY2(failed.exitCode == 137, failed.err.constData());
    }
    for (const QString& name : QDir(run).entryList(QDir::Files))
      QVERIFY2(!name.contains(".tmp-") || !fullDisk, qPrintable(name));
    const Run resumed = runGandl({"train", "--run", run, "--resume", "--data", QString::fromStdString(screen_.string()),
                                  "--device", "cpu", "--threads", "1"});
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    const auto expected = lossesOf(reference);
    QCOMPARE(expected.size(), std::size_t(6));
    QVERIFY(lossesOf(run) == expected);  // exact: the same losses at every step
  }

  void analyzeKilledWhileWritingIntoTheStore_data() {
    QTest::addColumn<QString>("fault");
    QTest::addRow("kill while writing the copy") << "store-obsm-write:1";
    QTest::addRow("kill before the rename") << "store-obsm-rename:1";
    QTest::addRow("full disk") << "store-obsm-write:1:enospc";
  }

  void analyzeKilledWhileWritingIntoTheStore() {
    QFETCH(QString, fault);
    const fs::path store = file("analyzed.h5ad");
    fs::remove(store);
    fs::copy_file(reference_, store);
    const QStringList analyze = {"analyze", "--embeddings", QString::fromStdString(store.string()), "--out",
                                 dir_.filePath("analysis")};
    const Run failed = runGandl(analyze, fault);
    QVERIFY2(failed.exitCode != 0, failed.err.constData());
    // The store is as it was: readable, sealed, the same rows, no half-written entry.
    QVERIFY(rowsBySite(store) == expected_);
    QVERIFY(EmbeddingStore::open(store).obsmNames().empty());
    const Run again = runGandl(analyze);
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QVERIFY(rowsBySite(store) == expected_);
    QVERIFY(!EmbeddingStore::open(store).obsmNames().empty());
    for (const auto& entry : fs::directory_iterator(store.parent_path()))
      QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().c_str());
  }
};

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "test_crash_recovery.moc"
