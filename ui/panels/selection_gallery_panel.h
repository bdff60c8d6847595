#pragma once
// The selected sites side by side as thumbnails (CellProfiler Analyst's image gallery): whatever
// selects sites (a compound, a lasso, a well, a plate) shows what those cells look like. Every
// thumbnail shares one display range per channel, taken from all the thumbnails together, so
// brightness compares across sites. Images are decoded on a worker thread; a newer selection
// supersedes a load in flight, and nothing is loaded while the panel is hidden. Clicking a thumbnail shows that site in
// the site viewer without changing the selection.

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>
#include <memory>
#include <vector>

class QLabel;
class QListWidget;
class QSpinBox;

namespace gandl::pipeline {
struct AnalysisResult;
}
namespace gandl::data {
struct Screen;
}

namespace gandl::ui {

class SelectionModel;

class SelectionGalleryPanel : public QWidget {
  Q_OBJECT

 public:
  SelectionGalleryPanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  void setScreen(std::shared_ptr<const data::Screen> screen);

  QListWidget* list() const { return list_; }
  // The store rows of the thumbnails on show, in order.
  const std::vector<std::size_t>& shownRows() const { return shownRows_; }
  bool isLoading() const { return loader_.isRunning(); }
  static constexpr int kMaxThumbnails = 48;

 Q_SIGNALS:
  void thumbnailsShown(int count);

 private:
  struct Thumbnails {
    std::vector<std::size_t> rows;
    std::vector<QImage> images;  // null where a site's images could not be read
    int generation = 0;
  };
  void reload();
  void showThumbnails();
  void showEvent(QShowEvent* event) override;

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  std::shared_ptr<const data::Screen> screen_;
  QListWidget* list_;
  QLabel* status_;
  QSpinBox* size_;
  QFutureWatcher<Thumbnails> loader_;
  std::vector<std::size_t> shownRows_;
  int generation_ = 0;
  bool reloadPending_ = false;
  bool stale_ = false;  // the selection changed while the panel was hidden (nothing is loaded then)
};

}  // namespace gandl::ui
