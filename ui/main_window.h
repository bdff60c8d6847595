#pragma once
// The workbench window: every panel in a dock over one Workspace and one SelectionModel, menus
// with shortcuts for each command, recent projects and preferences in QSettings, and the error
// path for bad input (a message box that does not block and a log entry; the window stays usable).

#include <QMainWindow>
#include <QMap>
#include <filesystem>

class QDockWidget;
class QMenu;

namespace gandl::ui {

class ActivityPanel;
class ClassificationPanel;
class DoseResponsePanel;
class EmbeddingScatterPanel;
class ExportableFigure;
class GeneratedImagesPanel;
class PlateHeatmapPanel;
class PointCloudPanel;
class ScreenBrowserPanel;
class SelectionModel;
class SelectionGalleryPanel;
class SiteViewerPanel;
class TaskManager;
class TrainingPanel;
class Workspace;
struct Project;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // withPointCloud = false leaves out the VTK view (no OpenGL available).
  explicit MainWindow(bool withPointCloud = true, QWidget* parent = nullptr);
  ~MainWindow() override;

  Workspace* workspace() const { return workspace_; }
  SelectionModel* selection() const { return selection_; }
  TaskManager* tasks() const { return tasks_; }
  ScreenBrowserPanel* browser() const { return browser_; }
  DoseResponsePanel* doseResponse() const { return doseResponse_; }
  EmbeddingScatterPanel* scatter() const { return scatter_; }
  ClassificationPanel* classification() const { return classification_; }
  PlateHeatmapPanel* plateHeatmap() const { return plate_; }
  SiteViewerPanel* siteViewer() const { return siteViewer_; }
  SelectionGalleryPanel* gallery() const { return gallery_; }
  QMenu* embeddingMenu() const { return embeddingMenu_; }
  // What Help > About says: the version, LibTorch, the devices, the BLAS, where models come from.
  QString aboutText() const;
  ActivityPanel* activity() const { return activity_; }
  TrainingPanel* training() const { return training_; }
  GeneratedImagesPanel* generatedImages() const { return generated_; }
  PointCloudPanel* pointCloud() const { return pointCloud_; }
  // Dock name -> dock, e.g. "scatter", "dose_response".
  const QMap<QString, QDockWidget*>& docks() const { return docks_; }
  // Every panel that exports a figure, by dock name.
  QMap<QString, ExportableFigure*> figures() const;
  // Number of errors shown since start (tests check bad input reaches the user).
  int errorCount() const { return errors_; }
  QString lastError() const { return lastError_; }

  void openStore(const QString& path);
  void openScreenAndEmbed(const QString& screen, const QString& store);
  void startDemo(const QString& dataDir = {});
  // Loads a project; a missing file or a moved path is reported, the window stays as it was.
  bool openProject(const QString& path);
  void saveProject(const QString& path);
  Project currentProject() const;
  // The report folder: core's CSVs and summary.json plus every figure (PNG, SVG, PDF, CSV).
  void exportReport(const QString& folder);
  // View > Reset layout: every panel docked and shown where it starts.
  void resetLayout();

 Q_SIGNALS:
  void analysisShown();
  void reportExported(const QString& folder);

 public Q_SLOTS:
  void showError(const QString& what, const QString& error);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  void buildMenus();
  QDockWidget* addPanel(const QString& name, const QString& title, QWidget* panel, Qt::DockWidgetArea area);
  void showAnalysis();
  void addRecent(const QString& path);
  void rebuildRecentMenu();

  TaskManager* tasks_;
  Workspace* workspace_;
  SelectionModel* selection_;
  ScreenBrowserPanel* browser_;
  DoseResponsePanel* doseResponse_;
  EmbeddingScatterPanel* scatter_;
  ClassificationPanel* classification_;
  PlateHeatmapPanel* plate_;
  SiteViewerPanel* siteViewer_;
  SelectionGalleryPanel* gallery_;
  ActivityPanel* activity_;
  TrainingPanel* training_;
  GeneratedImagesPanel* generated_;
  PointCloudPanel* pointCloud_ = nullptr;
  QMap<QString, QDockWidget*> docks_;
  QMenu* recentMenu_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QMenu* embeddingMenu_ = nullptr;  // Analysis > Embedding: one checkable entry per embedding of the store
  void rebuildEmbeddingMenu();
  QByteArray defaultState_;
  bool sizedByUser_ = false;  // a saved layout was restored (or the first show arranged one)
  void arrangeForSize();
  int errors_ = 0;
  QString lastError_;
};

}  // namespace gandl::ui
