#pragma once
// The current site as a 5-channel composite in rxrx colours: each channel on/off with its colour
// and contrast limits (auto-contrast on load), wheel zoom and drag pan, the five channel values
// under the cursor, and the site's metadata. Images are decoded on a worker thread.

#include <QFutureWatcher>
#include <QWidget>
#include <memory>
#include <vector>

#include "core/data/composite.h"
#include "core/data/site_loader.h"
#include "ui/figure_export.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;

namespace gandl::pipeline {
struct AnalysisResult;
}
namespace gandl::data {
struct Screen;
}

namespace gandl::ui {

class SelectionModel;

// Zoomable, pannable image; reports the image pixel under the cursor.
class ImageView : public QWidget {
  Q_OBJECT

 public:
  explicit ImageView(QWidget* parent = nullptr);
  void setImage(const QImage& image, bool keepView);
  const QImage& image() const { return image_; }
  double zoom() const { return zoom_; }

 Q_SIGNALS:
  void hovered(int x, int y);  // image pixel; -1 outside

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;
  void resizeEvent(QResizeEvent*) override;

 private:
  void fit();
  QImage image_;
  double zoom_ = 1.0;
  QPointF offset_;
  QPointF pressPosition_, pressOffset_;
  bool fitted_ = true;
};

class SiteViewerPanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  SiteViewerPanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  void setScreen(std::shared_ptr<const data::Screen> screen);

  // The site_id on show ("" while none), and whether its pixels are loaded.
  QString siteId() const { return siteId_; }
  bool hasImage() const { return !pixels_.pixels.empty(); }
  QCheckBox* channelBox(int channel) const { return visible_[channel]; }
  ImageView* view() const { return view_; }

  QString figureName() const override { return QStringLiteral("site_") + siteId_; }
  QSize figureSize() const override;
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 Q_SIGNALS:
  void imageShown(const QString& siteId);

 private:
  void showRow(int row);
  void recomposite(bool keepView);
  void showPixel(int x, int y);

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  std::shared_ptr<const data::Screen> screen_;
  QString siteId_;
  data::SiteImage pixels_;
  std::vector<data::ChannelStyle> styles_;
  QFutureWatcher<data::SiteImage> loader_;
  int pendingRow_ = -1;
  ImageView* view_;
  QLabel* metadata_;
  QLabel* pixel_;
  std::vector<QCheckBox*> visible_;
  std::vector<QDoubleSpinBox*> low_, high_;
};

}  // namespace gandl::ui
