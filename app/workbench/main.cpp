// gandl-workbench [--demo] [PROJECT.json]: parses its arguments and opens the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

#include "core/model/torch_runtime.h"
#include "core/pipeline/plugin_loader.h"
#include "ui/main_window.h"
#include "ui/panels/point_cloud_panel.h"
#include "ui/screenshot_tour.h"

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
  parser.addPositionalArgument(QStringLiteral("project"),
                               QStringLiteral("A project file (.gandl, or .json from older versions) to open."),
                               QStringLiteral("[PROJECT.gandl]"));
  parser.process(app);
  if (parser.positionalArguments().size() > 1) {
    std::fprintf(stderr, "gandl-workbench: at most one project file, got %lld arguments\n",
                 static_cast<long long>(parser.positionalArguments().size()));
    return 2;
  }
  gandl::model::configureThreads();

  gandl::pipeline::loadPlugins(gandl::pipeline::pluginFolders());  // embedders offered in the embed dialog
  gandl::ui::MainWindow window;
  window.show();
  // GANDL_SCREENSHOT_DIR: the user guide's pictures (ui/screenshot_tour.h), then quit.
  const QString shots = qEnvironmentVariable("GANDL_SCREENSHOT_DIR");
  if (!shots.isEmpty()) gandl::ui::takeScreenshotsOnceAnalysed(window, shots);
  if (parser.isSet(demo)) window.startDemo(parser.value(demoDir));
  if (parser.isSet(store)) window.openStore(parser.value(store));
  if (!parser.positionalArguments().isEmpty()) window.openProject(parser.positionalArguments().front());
  return app.exec();
}
