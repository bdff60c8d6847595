#include "ui/plots/scatter_canvas.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace gandl::ui {

namespace {

constexpr int kLeft = 58, kRight = 12, kTop = 10, kBottom = 42;

// About five "nice" tick values (1, 2, 5 x 10^k steps) covering [low, high].
std::vector<double> ticks(double low, double high) {
  std::vector<double> out;
  const double span = high - low;
  if (!(span > 0) || !std::isfinite(span)) return out;
  const double raw = span / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  for (double t = std::ceil(low / step) * step; t <= high + step * 1e-9; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

QRgb blend(QRgb colour, QRgb background, double alpha) {
  auto channel = [&](int c, int b) { return static_cast<int>(c * alpha + b * (1 - alpha)); };
  return qRgb(channel(qRed(colour), qRed(background)), channel(qGreen(colour), qGreen(background)),
              channel(qBlue(colour), qBlue(background)));
}

}  // namespace

ScatterCanvas::ScatterCanvas(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(240, 200);
  setFocusPolicy(Qt::WheelFocus);
}

void ScatterCanvas::setPoints(std::vector<float> x, std::vector<float> y) {
  x_ = std::move(x);
  y_ = std::move(y);
  y_.resize(x_.size(), NAN);
  category_.assign(x_.size(), 0);
  if (categories_.isEmpty()) categories_.push_back({tr("sites"), QColor(31, 119, 180)});
  selected_.assign(x_.size(), 0);
  selectedCount_ = 0;
  current_ = -1;
  fitRobust();
}

void ScatterCanvas::fitRobust() {
  std::vector<float> xs, ys;
  for (std::size_t i = 0; i < x_.size(); ++i)
    if (std::isfinite(x_[i]) && std::isfinite(y_[i])) {
      xs.push_back(x_[i]);
      ys.push_back(y_[i]);
    }
  if (xs.size() < 20) {  // too few for percentiles to mean anything
    fitView();
    return;
  }
  const auto quantile = [](std::vector<float>& v, double q) {
    const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[static_cast<std::size_t>(k)];
  };
  const float x0 = quantile(xs, 0.005), x1 = quantile(xs, 0.995), y0 = quantile(ys, 0.005), y1 = quantile(ys, 0.995);
  if (!(x0 < x1) || !(y0 < y1)) {
    fitView();
    return;
  }
  const double mx = (x1 - x0) * 0.08, my = (y1 - y0) * 0.08;
  setViewRange(QRectF(x0 - mx, y0 - my, (x1 - x0) + 2 * mx, (y1 - y0) + 2 * my));
}

std::size_t ScatterCanvas::pointsOutsideView() const {
  std::size_t outside = 0;
  for (std::size_t i = 0; i < x_.size(); ++i)
    if (std::isfinite(x_[i]) && std::isfinite(y_[i]) &&
        (x_[i] < view_.left() || x_[i] > view_.right() || y_[i] < view_.top() || y_[i] > view_.bottom()))
      ++outside;
  return outside;
}

void ScatterCanvas::setPointSize(int pixels) {
  pointSize_ = std::clamp(pixels, 1, 12);
  invalidate();
}

void ScatterCanvas::setPointOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.05, 1.0);
  invalidate();
}

void ScatterCanvas::setCategories(std::vector<quint16> categoryOfPoint, QVector<Category> categories) {
  category_ = std::move(categoryOfPoint);
  category_.resize(x_.size(), 0);
  categories_ = std::move(categories);
  if (categories_.isEmpty()) categories_.push_back({tr("sites"), QColor(31, 119, 180)});
  for (auto& c : category_) c = std::min<quint16>(c, static_cast<quint16>(categories_.size() - 1));
  invalidate();
}

void ScatterCanvas::setSelection(const std::vector<std::size_t>& rows) {
  std::fill(selected_.begin(), selected_.end(), 0);
  selectedCount_ = 0;
  for (auto r : rows)
    if (r < selected_.size() && !selected_[r]) {
      selected_[r] = 1;
      ++selectedCount_;
    }
  invalidate();
}

void ScatterCanvas::setCurrent(int row) {
  current_ = row;
  update();
}

void ScatterCanvas::setAxisLabels(const QString& x, const QString& y) {
  xLabel_ = x;
  yLabel_ = y;
  update();
}

void ScatterCanvas::setViewRange(const QRectF& range) {
  if (!(range.width() > 0) || !(range.height() > 0)) return;
  view_ = range;
  invalidate();
  Q_EMIT viewChanged();
}

void ScatterCanvas::fitView() {
  float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (!std::isfinite(x_[i]) || !std::isfinite(y_[i])) continue;
    x0 = std::min(x0, x_[i]);
    x1 = std::max(x1, x_[i]);
    y0 = std::min(y0, y_[i]);
    y1 = std::max(y1, y_[i]);
  }
  if (!(x0 <= x1)) {
    x0 = y0 = -1;
    x1 = y1 = 1;
  }
  const double mx = std::max(1e-6, (x1 - x0) * 0.05), my = std::max(1e-6, (y1 - y0) * 0.05);
  setViewRange(QRectF(x0 - mx, y0 - my, (x1 - x0) + 2 * mx, (y1 - y0) + 2 * my));
}

QRect ScatterCanvas::plotArea() const {
  return QRect(kLeft, kTop, std::max(10, width() - kLeft - kRight), std::max(10, height() - kTop - kBottom));
}

QPointF ScatterCanvas::widgetPosition(std::size_t row) const {
  const QRect area = plotArea();
  return QPointF(area.left() + (x_[row] - view_.left()) / view_.width() * area.width(),
                 area.top() + (1.0 - (y_[row] - view_.top()) / view_.height()) * area.height());
}

void ScatterCanvas::invalidate() {
  rasterValid_ = false;
  update();
}

QImage ScatterCanvas::rasterizePoints(const QSize& pixels, const QRectF& view, std::vector<int>* pick,
                                      double dotScale) const {
  QImage image(pixels, QImage::Format_RGB32);
  const QRgb background = palette().color(QPalette::Base).rgb();
  image.fill(background);
  const int w = pixels.width(), h = pixels.height();
  if (pick) pick->assign(static_cast<std::size_t>(w) * h, -1);
  if (w <= 0 || h <= 0 || x_.empty()) return image;
  const double dpr = std::max({1.0, image.devicePixelRatio(), dotScale});
  const int size = std::max(1, static_cast<int>(std::lround(pointSize_ * dpr)));
  const bool translucent = opacity_ < 1.0;
  // One selected site is marked by the current-site ring; dimming everything else would hide the
  // context it sits in.
  const bool anySelected = selectedCount_ > 1;
  std::vector<QRgb> full(categories_.size()), dim(categories_.size());
  for (int c = 0; c < categories_.size(); ++c) {
    full[c] = categories_[c].colour.rgb();
    dim[c] = blend(full[c], background, 0.18);
  }
  const double sx = w / view.width(), sy = h / view.height();
  const double x0 = view.left(), y0 = view.top();
  auto* bits = reinterpret_cast<QRgb*>(image.bits());
  const int stride = image.bytesPerLine() / 4;
  auto plot = [&](std::size_t i, int dotSize, QRgb colour) {
    const double fx = (x_[i] - x0) * sx, fy = h - (y_[i] - y0) * sy;
    if (!(fx >= 0 && fx < w && fy >= 0 && fy < h)) return;  // also drops NaN
    const int px = static_cast<int>(fx), py = static_cast<int>(fy);
    const int left = std::max(0, px - dotSize / 2), top = std::max(0, py - dotSize / 2);
    const int right = std::min(w, left + dotSize), bottom = std::min(h, top + dotSize);
    for (int yy = top; yy < bottom; ++yy) {
      QRgb* line = bits + static_cast<std::size_t>(yy) * stride;
      if (translucent)
        for (int xx = left; xx < right; ++xx) line[xx] = blend(colour, line[xx], opacity_);
      else
        for (int xx = left; xx < right; ++xx) line[xx] = colour;
    }
    if (pick) (*pick)[static_cast<std::size_t>(py) * w + px] = static_cast<int>(i);
  };
  const std::size_t n = x_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (anySelected && selected_[i]) continue;
    const auto c = category_[i];
    plot(i, size, anySelected ? dim[c] : full[c]);
  }
  if (anySelected)
    for (std::size_t i = 0; i < n; ++i)
      if (selected_[i]) plot(i, size + 1, full[category_[i]]);
  return image;
}

void ScatterCanvas::rasterize() {
  QElapsedTimer timer;
  timer.start();
  const double dpr = devicePixelRatioF();
  const QSize pixels = plotArea().size() * dpr;
  raster_ = rasterizePoints(pixels, view_, &pick_);
  raster_.setDevicePixelRatio(dpr);
  rasterValid_ = true;
  lastRasterMs_ = timer.nsecsElapsed() / 1e6;
}

void ScatterCanvas::drawFrame(QPainter& painter, const QRect& area, const QRectF& view) const {
  const QColor text = palette().color(QPalette::WindowText);
  QColor grid = text;
  grid.setAlpha(45);
  painter.setPen(text);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(area.adjusted(0, 0, -1, -1));
  const QFontMetrics metrics = painter.fontMetrics();  // of the device painted on (screen, PNG, SVG, PDF)
  for (double t : ticks(view.left(), view.right())) {
    const double px = area.left() + (t - view.left()) / view.width() * area.width();
    painter.setPen(QPen(grid, 1, Qt::DotLine));
    painter.drawLine(QPointF(px, area.top()), QPointF(px, area.bottom()));
    painter.setPen(text);
    painter.drawLine(QPointF(px, area.bottom()), QPointF(px, area.bottom() + 4));
    const QString label = QString::number(t, 'g', 4);
    painter.drawText(QPointF(px - metrics.horizontalAdvance(label) / 2.0, area.bottom() + 6 + metrics.ascent()), label);
  }
  for (double t : ticks(view.top(), view.bottom())) {
    const double py = area.bottom() - (t - view.top()) / view.height() * area.height();
    painter.setPen(QPen(grid, 1, Qt::DotLine));
    painter.drawLine(QPointF(area.left(), py), QPointF(area.right(), py));
    painter.setPen(text);
    painter.drawLine(QPointF(area.left() - 4, py), QPointF(area.left(), py));
    const QString label = QString::number(t, 'g', 4);
    painter.drawText(QPointF(area.left() - 6 - metrics.horizontalAdvance(label), py + metrics.ascent() / 2.0 - 1),
                     label);
  }
  painter.drawText(QRect(area.left(), area.bottom() + 8 + metrics.height(), area.width(), metrics.height()),
                   Qt::AlignHCenter, xLabel_);
  if (const std::size_t outside = pointsOutsideView(); outside > 0)
    painter.drawText(area.adjusted(6, 4, -6, -4), Qt::AlignRight | Qt::AlignBottom,
                     tr("%n point(s) outside the view (Fit shows all)", nullptr, static_cast<int>(outside)));
  painter.save();
  painter.translate(12, area.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-area.height() / 2, -metrics.ascent(), area.height(), metrics.height()), Qt::AlignHCenter,
                   yLabel_);
  painter.restore();
}

void ScatterCanvas::drawLegend(QPainter& painter, const QRect& area) const {
  if (categories_.size() <= 1 && categories_.value(0).name == tr("sites")) return;
  const QFontMetrics metrics = painter.fontMetrics();  // of the device painted on (screen, PNG, SVG, PDF)
  const int shown = std::min<int>(categories_.size(), 16);
  int textWidth = 0;
  for (int c = 0; c < shown; ++c) textWidth = std::max(textWidth, metrics.horizontalAdvance(categories_[c].name));
  const int rowHeight = metrics.height() + 2;
  QRect box(area.right() - textWidth - 34, area.top() + 6, textWidth + 28, rowHeight * shown + 8);
  QColor background = palette().color(QPalette::Base);
  background.setAlpha(215);
  painter.setPen(palette().color(QPalette::Mid));
  painter.setBrush(background);
  painter.drawRect(box);
  for (int c = 0; c < shown; ++c) {
    const int y = box.top() + 4 + c * rowHeight;
    painter.setPen(Qt::NoPen);
    painter.setBrush(categories_[c].colour);
    painter.drawEllipse(QRectF(box.left() + 6, y + rowHeight / 2.0 - 4, 8, 8));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QPoint(box.left() + 20, y + metrics.ascent() + 1), categories_[c].name);
  }
}

void ScatterCanvas::paintEvent(QPaintEvent*) {
  if (!rasterValid_ || raster_.size() != plotArea().size() * devicePixelRatioF()) rasterize();
  QPainter painter(this);
  painter.fillRect(rect(), palette().color(QPalette::Window));
  const QRect area = plotArea();
  painter.drawImage(area.topLeft(), raster_);
  drawFrame(painter, area, view_);
  if (current_ >= 0 && current_ < static_cast<int>(x_.size())) {
    const QPointF p = widgetPosition(static_cast<std::size_t>(current_));
    if (area.contains(p.toPoint())) {
      painter.setRenderHint(QPainter::Antialiasing);
      painter.setPen(QPen(palette().color(QPalette::WindowText), 2));
      painter.setBrush(Qt::NoBrush);
      painter.drawEllipse(p, 7, 7);
    }
  }
  drawLegend(painter, area);
  if (lassoing_ && lasso_.size() > 1) {
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine));
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlpha(40);
    painter.setBrush(fill);
    painter.drawPolygon(lasso_);
  }
}

void ScatterCanvas::renderFigure(QPainter& painter, const QSize& size) {
  // Margins from the figure's text size: tick labels and axis titles fit whatever the font.
  const QFontMetrics metrics = painter.fontMetrics();
  const int left = std::max(kLeft / 2, metrics.horizontalAdvance(QStringLiteral("-0.000")) + metrics.height() + 14);
  const int bottom = std::max(kBottom / 2, 2 * metrics.height() + 16);
  const QRect area(left, kTop, std::max(10, size.width() - left - kRight), std::max(10, size.height() - kTop - bottom));
  painter.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Window));
  // The points at the output's resolution (at least 300 dpi for vector output, whose figure
  // units are points), so they stay sharp in print.
  const double scale = std::max({2.0, painter.deviceTransform().m11(), 300.0 / 72.0});
  QImage points = rasterizePoints((QSizeF(area.size()) * scale).toSize(), view_, nullptr, scale);
  painter.drawImage(QRectF(area), points);
  drawFrame(painter, area, view_);
  drawLegend(painter, area);
}

void ScatterCanvas::resizeEvent(QResizeEvent*) { rasterValid_ = false; }

int ScatterCanvas::pointAt(const QPointF& position, double radius) {
  if (!rasterValid_ || raster_.size() != plotArea().size() * devicePixelRatioF()) rasterize();
  if (pick_.empty()) return -1;
  const QRect area = plotArea();
  const double dpr = raster_.devicePixelRatio();
  const int w = raster_.width(), h = raster_.height();
  const int cx = static_cast<int>((position.x() - area.left()) * dpr);
  const int cy = static_cast<int>((position.y() - area.top()) * dpr);
  const int r = static_cast<int>(std::ceil(radius * dpr));
  int best = -1;
  double bestDistance = INFINITY;
  for (int y = std::max(0, cy - r); y <= std::min(h - 1, cy + r); ++y)
    for (int x = std::max(0, cx - r); x <= std::min(w - 1, cx + r); ++x) {
      const int row = pick_[static_cast<std::size_t>(y) * w + x];
      if (row < 0) continue;
      const QPointF p = widgetPosition(static_cast<std::size_t>(row));
      const double d = std::hypot(p.x() - position.x(), p.y() - position.y());
      if (d < bestDistance) {
        bestDistance = d;
        best = row;
      }
    }
  return bestDistance <= radius * 1.5 ? best : -1;
}

std::vector<std::size_t> ScatterCanvas::rowsInside(const QPolygonF& polygon) const {
  std::vector<std::size_t> rows;
  const QRect area = plotArea();
  QImage mask(area.size(), QImage::Format_Grayscale8);
  mask.fill(0);
  {
    QPainter painter(&mask);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::white);
    painter.drawPolygon(polygon.translated(-area.left(), -area.top()));
  }
  const int w = mask.width(), h = mask.height();
  const double sx = w / view_.width(), sy = h / view_.height();
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double fx = (x_[i] - view_.left()) * sx, fy = h - (y_[i] - view_.top()) * sy;
    if (!(fx >= 0 && fx < w && fy >= 0 && fy < h)) continue;
    if (mask.constScanLine(static_cast<int>(fy))[static_cast<int>(fx)]) rows.push_back(i);
  }
  return rows;
}

void ScatterCanvas::wheelEvent(QWheelEvent* event) {
  const QRect area = plotArea();
  const QPointF p = event->position();
  const double factor = std::pow(1.2, -event->angleDelta().y() / 120.0);
  const double fx = (p.x() - area.left()) / area.width(), fy = 1.0 - (p.y() - area.top()) / area.height();
  const double cx = view_.left() + fx * view_.width(), cy = view_.top() + fy * view_.height();
  const double w = view_.width() * factor, h = view_.height() * factor;
  setViewRange(QRectF(cx - fx * w, cy - fy * h, w, h));
  event->accept();
}

void ScatterCanvas::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  pressed_ = true;
  dragged_ = false;
  pressPosition_ = event->position().toPoint();
  pressView_ = view_;
  lassoing_ = mode_ == Mode::Lasso || (event->modifiers() & Qt::ShiftModifier);
  lasso_.clear();
  if (lassoing_) lasso_ << event->position();
}

void ScatterCanvas::mouseMoveEvent(QMouseEvent* event) {
  const QPointF p = event->position();
  if (!pressed_) {
    const int row = pointAt(p);
    if (row >= 0 && tooltip_)
      QToolTip::showText(event->globalPosition().toPoint(), tooltip_(row), this);
    else
      QToolTip::hideText();
    return;
  }
  if ((p.toPoint() - pressPosition_).manhattanLength() > 3) dragged_ = true;
  if (lassoing_) {
    lasso_ << p;
    update();
    return;
  }
  if (!dragged_) return;
  const QRect area = plotArea();
  const double dx = (p.x() - pressPosition_.x()) / area.width() * pressView_.width();
  const double dy = (p.y() - pressPosition_.y()) / area.height() * pressView_.height();
  setViewRange(pressView_.translated(-dx, dy));
}

void ScatterCanvas::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !pressed_) return;
  pressed_ = false;
  if (lassoing_) {
    lassoing_ = false;
    lasso_ << event->position();
    const QPolygonF polygon = lasso_;
    lasso_.clear();
    update();
    if (polygon.size() >= 3 && dragged_) Q_EMIT lassoFinished(rowsInside(polygon));
    return;
  }
  if (!dragged_) {
    const int row = pointAt(event->position());
    if (row >= 0) Q_EMIT pointClicked(row);
  }
}

void ScatterCanvas::mouseDoubleClickEvent(QMouseEvent*) { fitView(); }

void ScatterCanvas::leaveEvent(QEvent*) { QToolTip::hideText(); }

}  // namespace gandl::ui
