// gandl-workbench [--demo] [PROJECT.json]: parses its arguments and opens the main window.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

#include "core/model/torch_runtime.h"
#include "ui/main_window.h"
#include "ui/panels/dose_response_panel.h"
#include "ui/panels/plate_heatmap_panel.h"
#include "ui/panels/point_cloud_panel.h"
#include "ui/workspace.h"

int main(int argc, char** argv) {
  gandl::ui::PointCloudPanel::setDefaultSurfaceFormat();  // before any QOpenGLWidget exists
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("gandl"));
  QApplication::setApplicationName(QStringLiteral("gandl-workbench"));
  QApplication::setApplicationVersion(QStringLiteral(GANDL_VERSION));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("GAN-DL Workbench: browse, train, embed and analyse image screens."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Generate, embed and analyse the demo screen."));
  QCommandLineOption demoDir(QStringLiteral("demo-dir"),
                             QStringLiteral("Folder for the demo data (default: per-user data folder)."),
                             QStringLiteral("DIR"));
  QCommandLineOption store(QStringLiteral("store"), QStringLiteral("Open an embedding store (.h5ad)."),
                           QStringLiteral("F.h5ad"));
  parser.addOptions({demo, demoDir, store});
  parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("A project file (.json) to open."),
                               QStringLiteral("[PROJECT.json]"));
  parser.process(app);
  if (parser.positionalArguments().size() > 1) {
    std::fprintf(stderr, "gandl-workbench: at most one project file, got %lld arguments\n",
                 static_cast<long long>(parser.positionalArguments().size()));
    return 2;
  }
  gandl::model::configureThreads();

  gandl::ui::MainWindow window;
  window.show();
  // GANDL_SCREENSHOT_DIR: once the analysis is shown, write the window and each panel there, then
  // the heatmap's all-plates view (by cell count where the store has one) and, where the store has
  // a second embedding, the dose-response comparison; then quit (the user guide's pictures).
  const QString shots = qEnvironmentVariable("GANDL_SCREENSHOT_DIR");
  if (!shots.isEmpty()) {
    QObject::connect(
        &window, &gandl::ui::MainWindow::analysisShown, &window,
        [&window, shots] {
          QTimer::singleShot(2000, &window, [&window, shots] {
            QDir().mkpath(shots);
            const auto save = [&window, shots](const QString& dock, const QString& name) {
              window.docks().value(dock)->raise();
              QApplication::processEvents();
              window.docks().value(dock)->widget()->grab().save(QDir(shots).filePath(name));
            };
            const auto& docks = window.docks();
            for (auto it = docks.begin(); it != docks.end(); ++it)
              save(it.key(), QStringLiteral("demo_%1.png").arg(it.key()));
            window.docks().value(QStringLiteral("activity"))->raise();
            QApplication::processEvents();
            window.grab().save(QDir(shots).filePath(QStringLiteral("demo_workbench.png")));

            auto* plate = window.plateHeatmap();
            plate->allPlatesBox()->setChecked(true);
            const int cells = plate->valueBox()->findData(QStringLiteral("cells"));
            if (cells >= 0) plate->valueBox()->setCurrentIndex(cells);
            save(QStringLiteral("plate"), QStringLiteral("demo_plate_all.png"));
            auto* dose = window.doseResponse();
            if (dose->compareBox()->count() < 2) {
              QApplication::quit();
              return;
            }
            QObject::connect(window.workspace(), &gandl::ui::Workspace::comparisonChanged, &window, [&window, save] {
              save(QStringLiteral("dose_response"), QStringLiteral("demo_dose_response_compare.png"));
              QApplication::quit();
            });
            dose->compareBox()->setCurrentIndex(1);
            Q_EMIT dose->compareBox()->activated(1);
          });
        },
        Qt::SingleShotConnection);
  }
  if (parser.isSet(demo)) window.startDemo(parser.value(demoDir));
  if (parser.isSet(store)) window.openStore(parser.value(store));
  if (!parser.positionalArguments().isEmpty()) window.openProject(parser.positionalArguments().front());
  return app.exec();
}
