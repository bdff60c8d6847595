#pragma once
// A 2-D scatter that stays smooth with hundreds of thousands of points. QCustomPlot draws every
// point as a vector shape (~400 ms for 305,520 points); here points are rasterized straight into
// an image the size of the plot area, so a redraw costs one pass over the points (a few ms) and
// what is drawn scales with the pixels on screen. The same pass fills a pick buffer (the point
// drawn last at each pixel), which makes hover and click lookups O(1). Wheel zooms about the
// cursor, dragging pans, a double click fits the data, Shift+drag (or lasso mode) draws a lasso.

#include <QColor>
#include <QImage>
#include <QPolygonF>
#include <QWidget>
#include <functional>
#include <vector>

namespace gandl::ui {

class ScatterCanvas : public QWidget {
  Q_OBJECT

 public:
  struct Category {
    QString name;
    QColor colour;
  };
  enum class Mode { Pan, Lasso };

  explicit ScatterCanvas(QWidget* parent = nullptr);

  // Coordinates of every point (NaN = not drawn); resets the view to fit them.
  void setPoints(std::vector<float> x, std::vector<float> y);
  // One category per point (index into `categories`) and the legend entries.
  void setCategories(std::vector<quint16> categoryOfPoint, QVector<Category> categories);
  // Points drawn on top and full-coloured; the others are dimmed while anything is selected.
  void setSelection(const std::vector<std::size_t>& rows);
  void setCurrent(int row);
  void setAxisLabels(const QString& x, const QString& y);
  void setTooltipText(std::function<QString(int row)> text) { tooltip_ = std::move(text); }
  void setMode(Mode mode) { mode_ = mode; }
  Mode mode() const { return mode_; }

  std::size_t pointCount() const { return x_.size(); }
  QRectF viewRange() const { return view_; }  // data coordinates: left, top = min x, min y
  void setViewRange(const QRectF& range);
  // Every finite point in view (the Fit button, double-click).
  void fitView();
  // The central 99% of the points on each axis (what setPoints shows): a few outliers, say at -65
  // in a cloud within +-3, no longer squash the cloud; they are counted on the plot instead.
  void fitRobust();
  std::size_t pointsOutsideView() const;
  // Dot size in screen pixels (1..12, default 2) and opacity (0.05..1, default 1: overplotting
  // hides density; lower it for large screens).
  void setPointSize(int pixels);
  void setPointOpacity(double opacity);
  int pointSize() const { return pointSize_; }
  double pointOpacity() const { return opacity_; }
  // Where a point is drawn, in widget coordinates (tests drive clicks with it).
  QPointF widgetPosition(std::size_t row) const;
  QRect plotArea() const;
  // The nearest drawn point within `radius` widget pixels of `position`, or -1.
  int pointAt(const QPointF& position, double radius = 5.0);
  // Rows whose points fall inside a polygon given in widget coordinates.
  std::vector<std::size_t> rowsInside(const QPolygonF& polygon) const;
  // Milliseconds the last rasterization of the points took.
  double lastRasterMilliseconds() const { return lastRasterMs_; }

  // Draws the whole figure (axes, points, legend) into `size` for export.
  void renderFigure(QPainter& painter, const QSize& size);
  // Rasterizes the points for the current view and size now (benchmarks call it).
  void rasterize();

 Q_SIGNALS:
  void pointClicked(int row);
  void lassoFinished(std::vector<std::size_t> rows);
  void viewChanged();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  // dotScale: raster pixels per unit of the dot size (a figure drawn at print resolution).
  QImage rasterizePoints(const QSize& pixels, const QRectF& view, std::vector<int>* pick, double dotScale = 1.0) const;
  void drawFrame(QPainter& painter, const QRect& area, const QRectF& view) const;
  void drawLegend(QPainter& painter, const QRect& area) const;
  void invalidate();

  std::vector<float> x_, y_;
  std::vector<quint16> category_;
  QVector<Category> categories_;
  std::vector<char> selected_;
  std::size_t selectedCount_ = 0;
  int current_ = -1;
  QString xLabel_, yLabel_;
  std::function<QString(int)> tooltip_;
  int pointSize_ = 2;
  double opacity_ = 1.0;
  Mode mode_ = Mode::Pan;
  QRectF view_{0, 0, 1, 1};

  QImage raster_;
  std::vector<int> pick_;
  bool rasterValid_ = false;
  double lastRasterMs_ = 0.0;

  QPoint pressPosition_;
  QRectF pressView_;
  bool pressed_ = false, lassoing_ = false, dragged_ = false;
  QPolygonF lasso_;
};

}  // namespace gandl::ui
