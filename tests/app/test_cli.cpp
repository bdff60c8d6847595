// The command line as a contract (../shared/DESIGN.md section 7): exit status, one-line errors on
// stderr, machine-readable --json on stdout, and files where they belong.
#include <QtTest>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace {

struct Result {
  int exitCode = -1;
  QByteArray out;
  QByteArray err;
};

Result gandl(const QStringList& arguments, int timeoutMs = 120000) {
  QProcess process;
  process.start(QStringLiteral(GANDL_BINARY_DIR "/app/gandl/gandl"), arguments);
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished();
  }
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
          process.readAllStandardError()};
}

QByteArray lastLine(const QByteArray& text) {
  const auto lines = text.trimmed().split('\n');
  return lines.isEmpty() ? QByteArray() : lines.last();
}

}  // namespace

class TestCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void helpOnEveryCommand() {
    for (const char* command : {"inspect", "synth", "export", "import-embeddings"}) {
      const Result r = gandl({command, "--help"});
      QCOMPARE(r.exitCode, 0);
      QVERIFY2(r.out.contains("--"), command);
    }
  }

  void inspectTheRealRxRx1Slice() {
    const QString root = QStringLiteral(GANDL_SHARED_DATA_DIR "/rxrx1-sample");
    if (!QFileInfo::exists(root)) QSKIP("shared/data/rxrx1-sample not present");
    const Result r = gandl({"inspect", "--data", root, "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json["sites"].toInt(), 36);
    QCOMPARE(json["incomplete_sites"].toInt(), 18);
    QCOMPARE(json["complete_sites"].toInt(), 18);
    QCOMPARE(json["layout"].toString(), QString("rxrx1"));
    QCOMPARE(json["incomplete"].toArray().size(), 18);
    QCOMPARE(json["by_cell_type"].toObject()["U2OS"].toInt(), 8);
  }

  void badInputFailsWithOneLineReason() {
    QTemporaryDir dir;
    const Result r = gandl({"inspect", "--data", dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(lastLine(r.err).startsWith("gandl: ") && lastLine(r.err).contains("metadata.csv"), r.err.constData());
    QCOMPARE(gandl({"inspect"}).exitCode == 0, false);
    QCOMPARE(gandl({"inspect", "--data", dir.path(), "--layout", "nonsense"}).exitCode == 0, false);
    // Counts are bounded: a typo fails with the option's name, before any work.
    const QStringList counts[] = {
        {"synth", "--out", dir.filePath("s"), "--threads", "100000"},
        {"embed", "--data", dir.path(), "--out", dir.filePath("x.h5ad"), "--loader-threads", "100000"},
        {"embed", "--data", dir.path(), "--out", dir.filePath("x.h5ad"), "--threads", "-1"},
        {"embed", "--data", dir.path(), "--out", dir.filePath("x.h5ad"), "--batch", "-5"},
        {"train", "--data", dir.path(), "--run", dir.filePath("r"), "--batch", "0"},
        {"train", "--data", dir.path(), "--run", dir.filePath("r"), "--kimg", "-1"}};
    for (const auto& arguments : counts) {
      const Result bad = gandl(arguments);
      QVERIFY2(bad.exitCode != 0 && bad.exitCode != 134, bad.err.constData());
      QVERIFY2(bad.err.contains(arguments.at(arguments.size() - 2).toUtf8()), bad.err.constData());
      QVERIFY(!QFileInfo::exists(dir.filePath("s")) && !QFileInfo::exists(dir.filePath("x.h5ad")));
    }
  }

  void synthInspectExportRoundTrip() {
    QTemporaryDir dir;
    const QString screen = dir.filePath("screen");
    Result r = gandl({"synth", "--out", screen, "--preset", "demo", "--seed", "3"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(QFileInfo::exists(screen + "/metadata.csv"));
    QVERIFY(QFileInfo::exists(screen + "/ground_truth.csv"));

    r = gandl({"inspect", "--data", screen, "--json"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(json["layout"].toString(), QString("rxrx19a"));
    QCOMPARE(json["incomplete_sites"].toInt(), 0);
    QCOMPARE(json["by_cell_type"].toObject().size(), 2);
    QVERIFY(json["compounds"].toInt() >= 8);

    // A second synth into the same folder refuses and leaves it as it was.
    r = gandl({"synth", "--out", screen, "--preset", "demo"});
    QVERIFY(r.exitCode != 0);
    QVERIFY(QFileInfo::exists(screen + "/metadata.csv"));
  }

  // `gandl demo`: the demo chain headless (a demo-preset screen put in place first, so the test
  // takes seconds): embedding with the shipped model, the intensity baseline imported, the
  // analysis with both in its accuracy table, the CSV; a second run reuses the store.
  void demoRunsTheWholeChainAndReuses() {
    QTemporaryDir dir;
    const QString root = dir.filePath("demo");
    Result r = gandl({"synth", "--out", root + "/screen", "--preset", "demo", "--seed", "4"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = gandl({"demo", "--out", root, "--threads", "2"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("embedded " + root.toUtf8() + "/demo.h5ad (gandl, model demo)"), r.err.constData());
    for (const char* file : {"/demo.h5ad", "/demo-intensity.h5ad", "/demo.csv", "/analysis/accuracy.csv",
                             "/analysis/dose_fits.csv", "/analysis/summary.json"})
      QVERIFY2(QFileInfo::exists(root + file), file);
    QVERIFY2(r.out.contains("intensity") && r.out.contains("ground truth ("), r.out.constData());
    const QDateTime stored = QFileInfo(root + "/demo.h5ad").lastModified();
    r = gandl({"demo", "--out", root, "--threads", "2", "--no-csv"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("reused"), r.err.constData());
    QCOMPARE(QFileInfo(root + "/demo.h5ad").lastModified(), stored);
  }

  // Outputs that are inputs are refused, and an existing store is replaced only with --overwrite;
  // nothing is touched by a refused command.
  void outputsNeverReplaceInputsOrResults() {
    QTemporaryDir dir;
    const QString screen = dir.filePath("screen"), store = dir.filePath("s.h5ad");
    QVERIFY(gandl({"synth", "--out", screen, "--preset", "demo", "--seed", "5"}).exitCode == 0);
    Result r = gandl({"embed", "--data", screen, "--embedder", "intensity", "--out", store});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QDateTime stored = QFileInfo(store).lastModified();
    const qint64 metadataSize = QFileInfo(screen + "/metadata.csv").size();

    r = gandl({"embed", "--data", screen, "--embedder", "intensity", "--out", store});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("already exists") && lastLine(r.err).contains("--overwrite"), r.err.constData());
    QCOMPARE(QFileInfo(store).lastModified(), stored);

    for (const QString& input : {screen + "/metadata.csv", screen + "/images/../metadata.csv", screen}) {
      r = gandl({"embed", "--data", screen, "--embedder", "intensity", "--out", input, "--overwrite"});
      QVERIFY(r.exitCode != 0);
      QVERIFY2(lastLine(r.err).contains("never replaces an input"), r.err.constData());
    }
    const QString image = QDir(screen + "/images").entryList(QDir::Dirs | QDir::NoDotAndDotDot).front();
    const QString plate = QDir(screen + "/images/" + image).entryList(QDir::Dirs | QDir::NoDotAndDotDot).front();
    const QString png = QDir(screen + "/images/" + image + "/" + plate).entryList(QDir::Files).front();
    const QString pngPath = screen + "/images/" + image + "/" + plate + "/" + png;
    const qint64 pngSize = QFileInfo(pngPath).size();
    r = gandl({"embed", "--data", screen, "--embedder", "intensity", "--out", pngPath, "--overwrite"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("an image of site"), r.err.constData());
    QCOMPARE(QFileInfo(pngPath).size(), pngSize);
    QCOMPARE(QFileInfo(screen + "/metadata.csv").size(), metadataSize);

    r = gandl({"export", "--embeddings", store, "--csv", store});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("the store being exported"), r.err.constData());
    QCOMPARE(QFileInfo(store).lastModified(), stored);

    r = gandl({"embed", "--data", screen, "--embedder", "intensity", "--out", store, "--overwrite"});
    QVERIFY2(r.exitCode == 0, r.err.constData());

    // export-model onto its own run: refused, the run intact (a copy of the shipped model here).
    const QString run = dir.filePath("run");
    QDir().mkpath(run);
    for (const QString& f : QDir(QStringLiteral(GANDL_SOURCE_DIR "/resources/models/demo")).entryList(QDir::Files))
      QVERIFY(QFile::copy(QStringLiteral(GANDL_SOURCE_DIR "/resources/models/demo/") + f, run + "/" + f));
    const QStringList before = QDir(run).entryList(QDir::Files);
    r = gandl({"export-model", "--checkpoint", run, "--out", run + "/."});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("the run being exported"), r.err.constData());
    QCOMPARE(QDir(run).entryList(QDir::Files), before);
    // An export is a complete result: replaced only with --overwrite.
    const QString model = dir.filePath("model");
    QVERIFY(gandl({"export-model", "--checkpoint", run, "--out", model}).exitCode == 0);
    r = gandl({"export-model", "--checkpoint", run, "--out", model});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("already holds an exported model"), r.err.constData());
    QVERIFY(gandl({"export-model", "--checkpoint", run, "--out", model, "--overwrite"}).exitCode == 0);
  }

  // Issue 12 item 10: `train --resume` takes the run's stored settings, honours the run-time
  // options and refuses any other change by name.
  void resumeHonoursOrRefusesEachOptionByName() {
    QTemporaryDir dir;
    const QString screen = dir.filePath("screen"), run = dir.filePath("run");
    QVERIFY(gandl({"synth", "--out", screen, "--preset", "demo", "--seed", "5"}).exitCode == 0);
    const QStringList common = {"train", "--data", screen, "--run", run, "--device", "cpu", "--threads", "1"};
    Result r = gandl(common + QStringList{"--resolution", "32", "--channel-base", "512", "--channel-max", "32",
                                          "--z-dim", "32", "--w-dim", "32", "--batch", "4", "--steps", "2",
                                          "--checkpoint-every", "1", "--sample-every", "100"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // No network flag repeated: the stored ones are used; a higher --steps and --keep are honoured.
    r = gandl(common + QStringList{"--resume", "--steps", "3", "--keep", "5"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(lastLine(r.err).contains("step 3") || lastLine(r.out).contains("step 3"), r.err.constData());
    // A change of what shapes the training is refused, naming each option and both values.
    r = gandl(common + QStringList{"--resume", "--steps", "5", "--g-lr", "0.001", "--resolution", "64"});
    QVERIFY(r.exitCode != 0 && r.exitCode != 134);
    QVERIFY2(lastLine(r.err).contains("g_lr 0.001 (the run's 0.0025)") && lastLine(r.err).contains("resolution 64"),
             r.err.constData());
    // The same values as stored are no change.
    r = gandl(common + QStringList{"--resume", "--steps", "4", "--resolution", "32", "--batch", "4"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // An export into a training run's folder would destroy it: refused even with --overwrite.
    r = gandl({"export-model", "--checkpoint", "demo", "--out", run, "--overwrite"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(lastLine(r.err).contains("of another run"), r.err.constData());
    // Fewer steps than already trained: nothing to resume, said by name.
    r = gandl(common + QStringList{"--resume", "--steps", "2"});
    QVERIFY(r.exitCode != 0 && r.exitCode != 134);
    QVERIFY2(lastLine(r.err).contains("--steps") && lastLine(r.err).contains("step 4"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
