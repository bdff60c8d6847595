// Embedder plugins (issue 14): the example plugin, built as a module the application does not
// link, is found on GANDL_PLUGIN_PATH, registered with its file as source, and embeds a screen
// through the same runEmbedding as the built-in embedders; a file that is not a plugin is
// reported by name and reason and skipped; `gandl plugins` lists both.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/data/synthetic_screen.h"
#include "core/pipeline/embed_task.h"
#include "core/pipeline/plugin_loader.h"
#include "core/pipeline/site_embedder.h"
#include "core/store/embedding_store.h"

namespace fs = std::filesystem;
using namespace gandl;

class TestPlugins : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void theExamplePluginLoadsAndEmbeds() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    // A broken "plugin" beside the real one: reported, skipped, the real one still loads.
    fs::create_directories(root / "plugins" / "broken");
    std::ofstream(root / "plugins" / "broken" / "libbroken.so") << "not a shared library";
    const auto report = pipeline::loadPlugins({root / "plugins", fs::path(GANDL_BINARY_DIR) / "plugins"});
    QCOMPARE(report.failed.size(), std::size_t(1));
    QVERIFY(report.failed[0].file.filename() == "libbroken.so");
    QVERIFY2(report.failed[0].reason.find("cannot be loaded") != std::string::npos, report.failed[0].reason.c_str());
    // Every plugin of the build tree (mean_intensity, torchscript) loads.
    QVERIFY(report.loaded.size() >= 2);
    QVERIFY(std::any_of(report.loaded.begin(), report.loaded.end(),
                        [](const fs::path& f) { return f.string().find("mean_intensity") != std::string::npos; }));
    auto& registry = pipeline::EmbedderRegistry::instance();
    QVERIFY(registry.contains("mean-intensity"));
    const auto info = registry.info("mean-intensity");
    QCOMPARE(info.dimension, 10);
    QVERIFY(info.source.find("mean_intensity") != std::string::npos);
    // Loading again loads nothing twice.
    QVERIFY(pipeline::loadPlugins({fs::path(GANDL_BINARY_DIR) / "plugins"}).loaded.empty());

    data::writeSyntheticScreen(root / "screen", data::SynthPreset::Demo, 2);
    pipeline::EmbedTaskOptions options;
    options.data = root / "screen";
    options.out = root / "plugin.h5ad";
    options.embedder = "mean-intensity";
    const auto result = pipeline::runEmbedding(options);
    QCOMPARE(result.embedded, std::size_t(768));
    const auto store = store::EmbeddingStore::open(options.out);
    QCOMPARE(store.dimension(), std::size_t(10));
    QCOMPARE(store.varNames().front(), std::string("mean_w1"));
    QVERIFY(store.readAll().allFinite());
  }

  void gandlPluginsListsEmbeddersAndFailures() {
    QProcess process;
    auto environment = QProcessEnvironment::systemEnvironment();
    QTemporaryDir dir;
    std::ofstream(fs::path(dir.path().toStdString()) / "libbroken.so") << "garbage";
    environment.insert("GANDL_PLUGIN_PATH", dir.path());
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(GANDL_BINARY_DIR "/app/gandl/gandl"), {"plugins"});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(out.contains(QLatin1String("gandl\t")) && out.contains(QLatin1String("intensity\t")), qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("mean-intensity\t1\t10\tnothing\t")), qPrintable(out));
    QVERIFY2(err.contains(QLatin1String("libbroken.so")), qPrintable(err));
    // `gandl embed --embedder NAME` takes a plugin's embedder (plugins load before the command
    // line is checked against the registry).
    const fs::path root = dir.path().toStdString();
    data::writeSyntheticScreen(root / "screen", data::SynthPreset::Demo, 3);
    QProcess embed;
    embed.setProcessEnvironment(environment);
    embed.start(QStringLiteral(GANDL_BINARY_DIR "/app/gandl/gandl"),
                {"embed", "--data", QString::fromStdString((root / "screen").string()), "--out",
                 QString::fromStdString((root / "cli.h5ad").string()), "--embedder", "mean-intensity"});
    QVERIFY(embed.waitForFinished(120000));
    QVERIFY2(embed.exitCode() == 0, embed.readAllStandardError().constData());
    QCOMPARE(store::EmbeddingStore::open(root / "cli.h5ad").dimension(), std::size_t(10));
  }
};

QTEST_GUILESS_MAIN(TestPlugins)
#include "test_plugins.moc"
