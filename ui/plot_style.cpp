#include "ui/plot_style.h"

#include <QApplication>
#include <QPalette>
#include <algorithm>
#include <cmath>
#include "ui/plots/qcustomplot.h"

namespace gandl::ui {

QColor categoricalColor(int index) {
  static const QRgb colours[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b,
                                 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f, 0x393b79, 0xad494a};
  return QColor(colours[std::abs(index) % 12]);
}

namespace {
QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}
}  // namespace

QColor sequentialColor(double t) {
  static const QColor stops[] = {QColor(48, 18, 90), QColor(40, 90, 150), QColor(30, 150, 135), QColor(110, 200, 80),
                                 QColor(245, 225, 40)};
  if (!std::isfinite(t)) return QColor(160, 160, 160);
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  return mix(stops[i], stops[i + 1], t - i);
}

QColor divergingColor(double on) {
  if (!std::isfinite(on)) return QColor(160, 160, 160);
  const double t = std::clamp(on / 1.5, -1.0, 1.0);
  const QColor middle(225, 225, 225);
  return t < 0 ? mix(middle, QColor(190, 30, 45), -t) : mix(middle, QColor(20, 140, 60), t);
}

void applyPlotPalette(QCustomPlot& plot) {
  const QPalette palette = QApplication::palette();
  const QColor text = palette.color(QPalette::WindowText);
  plot.setBackground(palette.color(QPalette::Base));
  for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setLabelColor(text);
    axis->setTickLabelColor(text);
    QColor grid = text;
    grid.setAlpha(40);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
  }
  plot.legend->setBrush(palette.color(QPalette::Base));
  plot.legend->setTextColor(text);
  plot.legend->setBorderPen(QPen(text));
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace gandl::ui
