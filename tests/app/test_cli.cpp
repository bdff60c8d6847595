// The command line as a contract (../shared/DESIGN.md section 7): exit status, one-line errors on
// stderr, machine-readable --json on stdout, and files where they belong.
#include <QtTest>

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
    for (const char* command : {"inspect", "synth", "export"}) {
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
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
