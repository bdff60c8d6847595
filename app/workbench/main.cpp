// gandl-workbench [--demo] [PROJECT.json]: parses its arguments and opens the main window.
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QTimer>
#include <QCommandLineParser>
#include <QFileInfo>
#include <cstdio>

#include "core/model/torch_runtime.h"
#include "ui/main_window.h"
#include "ui/panels/point_cloud_panel.h"

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
  QCommandLineOption demoDir(QStringLiteral("demo-dir"), QStringLiteral("Folder for the demo data (default: per-user data folder)."),
                             QStringLiteral("DIR"));
  QCommandLineOption store(QStringLiteral("store"), QStringLiteral("Open an embedding store (.h5ad)."), QStringLiteral("F.h5ad"));
  parser.addOptions({demo, demoDir, store});
  parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("A project file (.json) to open."), QStringLiteral("[PROJECT.json]"));
  parser.process(app);
  if (parser.positionalArguments().size() > 1) {
    std::fprintf(stderr, "gandl-workbench: at most one project file, got %lld arguments\n",
                 static_cast<long long>(parser.positionalArguments().size()));
    return 2;
  }
  gandl::model::configureThreads();

  gandl::ui::MainWindow window;
  window.show();
  // GANDL_SCREENSHOT_DIR: once the analysis is shown, write the window and each panel there and
  // quit (the user guide's pictures of the demo).
  const QString shots = qEnvironmentVariable("GANDL_SCREENSHOT_DIR");
  if (!shots.isEmpty()) {
    QObject::connect(&window, &gandl::ui::MainWindow::analysisShown, &window, [&window, shots] {
      QTimer::singleShot(2000, &window, [&window, shots] {
        QDir().mkpath(shots);
        const auto& docks = window.docks();
        for (auto it = docks.begin(); it != docks.end(); ++it) {
          it.value()->raise();
          QApplication::processEvents();
          it.value()->widget()->grab().save(QDir(shots).filePath(QStringLiteral("demo_%1.png").arg(it.key())));
        }
        window.docks().value(QStringLiteral("activity"))->raise();
        QApplication::processEvents();
        window.grab().save(QDir(shots).filePath(QStringLiteral("demo_workbench.png")));
        QApplication::quit();
      });
    });
  }
  if (parser.isSet(demo)) window.startDemo(parser.value(demoDir));
  if (parser.isSet(store)) window.openStore(parser.value(store));
  if (!parser.positionalArguments().isEmpty()) window.openProject(parser.positionalArguments().front());
  return app.exec();
}
