#include "ui/panels/site_viewer_panel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <sstream>

#include "core/data/screen.h"
#include "core/pipeline/analyze_task.h"
#include "ui/plots/qcustomplot.h"
#include "ui/selection_model.h"

namespace gandl::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(200, 200);
}

void ImageView::setImage(const QImage& image, bool keepView) {
  const bool sameSize = image.size() == image_.size();
  image_ = image;
  if (!keepView || !sameSize || fitted_) fit();
  update();
}

void ImageView::fit() {
  if (image_.isNull()) return;
  zoom_ = std::min(double(width()) / image_.width(), double(height()) / image_.height());
  offset_ = QPointF((width() - image_.width() * zoom_) / 2, (height() - image_.height() * zoom_) / 2);
  fitted_ = true;
  update();
}

void ImageView::resizeEvent(QResizeEvent*) {
  if (fitted_) fit();
}

void ImageView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), Qt::black);
  if (image_.isNull()) {
    painter.setPen(Qt::gray);
    painter.drawText(rect(), Qt::AlignCenter, tr("No site selected"));
    return;
  }
  painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 1.0);
  painter.drawImage(QRectF(offset_, QSizeF(image_.size()) * zoom_), image_);
}

void ImageView::wheelEvent(QWheelEvent* event) {
  if (image_.isNull()) return;
  const double factor = std::pow(1.25, event->angleDelta().y() / 120.0);
  const QPointF p = event->position();
  offset_ = p - (p - offset_) * factor;
  zoom_ *= factor;
  fitted_ = false;
  update();
}

void ImageView::mousePressEvent(QMouseEvent* event) {
  pressPosition_ = event->position();
  pressOffset_ = offset_;
}

void ImageView::mouseMoveEvent(QMouseEvent* event) {
  if (event->buttons() & Qt::LeftButton) {
    offset_ = pressOffset_ + (event->position() - pressPosition_);
    fitted_ = false;
    update();
  }
  const QPointF p = (event->position() - offset_) / zoom_;
  const int x = static_cast<int>(std::floor(p.x())), y = static_cast<int>(std::floor(p.y()));
  if (!image_.isNull() && x >= 0 && y >= 0 && x < image_.width() && y < image_.height())
    Q_EMIT hovered(x, y);
  else
    Q_EMIT hovered(-1, -1);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent*) { fit(); }

SiteViewerPanel::SiteViewerPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), styles_(data::rxrxChannelStyles()) {
  setObjectName(QStringLiteral("siteViewerPanel"));
  view_ = new ImageView(this);
  metadata_ = new QLabel(tr("No site selected."), this);
  metadata_->setObjectName(QStringLiteral("siteMetadata"));
  metadata_->setWordWrap(true);
  metadata_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  pixel_ = new QLabel(this);
  pixel_->setObjectName(QStringLiteral("pixelValues"));
  auto* channels = new QGridLayout;
  const char* names[] = {"Hoechst (w1)", "ConA (w2)", "Phalloidin (w3)", "Syto14 (w4)", "WGA (w5)"};
  for (int c = 0; c < data::kModelChannels; ++c) {
    auto* box = new QCheckBox(QString::fromLatin1(names[c]), this);
    box->setChecked(true);
    const auto& s = styles_[c];
    box->setStyleSheet(
        QStringLiteral("QCheckBox { color: rgb(%1,%2,%3); font-weight: bold; }").arg(s.red).arg(s.green).arg(s.blue));
    auto* low = new QDoubleSpinBox(this);
    auto* high = new QDoubleSpinBox(this);
    for (auto* spin : {low, high}) {
      spin->setRange(0, 255);
      spin->setDecimals(0);
      spin->setToolTip(tr("Display range in 8-bit units"));
    }
    channels->addWidget(box, c, 0);
    channels->addWidget(low, c, 1);
    channels->addWidget(high, c, 2);
    visible_.push_back(box);
    low_.push_back(low);
    high_.push_back(high);
    connect(box, &QCheckBox::toggled, this, [this] { recomposite(true); });
    connect(low, &QDoubleSpinBox::valueChanged, this, [this] { recomposite(true); });
    connect(high, &QDoubleSpinBox::valueChanged, this, [this] { recomposite(true); });
  }
  auto* side = new QVBoxLayout;
  side->addLayout(channels);
  side->addWidget(pixel_);
  side->addWidget(metadata_, 1);
  side->addWidget(makeExportButton(*this, this));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(view_, 1);
  layout->addLayout(side);
  connect(view_, &ImageView::hovered, this, &SiteViewerPanel::showPixel);
  connect(selection_, &SelectionModel::currentRowChanged, this, &SiteViewerPanel::showRow);
  connect(&loader_, &QFutureWatcher<data::SiteImage>::finished, this, [this] {
    try {
      pixels_ = loader_.result();
    } catch (const std::exception& e) {
      pixels_ = {};
      metadata_->setText(
          metadata_->text() +
          QStringLiteral("<br><font color='red'>%1</font>").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
      view_->setImage({}, false);
      return;
    }
    data::autoContrast(styles_, pixels_.pixels.data(), pixels_.height, pixels_.width);
    for (int c = 0; c < data::kModelChannels; ++c) {
      const QSignalBlocker a(low_[c]), b(high_[c]);
      low_[c]->setValue(styles_[c].low);
      high_[c]->setValue(styles_[c].high);
    }
    recomposite(false);
    Q_EMIT imageShown(siteId_);
    if (pendingRow_ >= 0) {
      const int row = pendingRow_;
      pendingRow_ = -1;
      showRow(row);
    }
  });
}

void SiteViewerPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  showRow(-1);
}

void SiteViewerPanel::setScreen(std::shared_ptr<const data::Screen> screen) { screen_ = std::move(screen); }

void SiteViewerPanel::showRow(int row) {
  if (loader_.isRunning()) {  // one decode at a time; the newest request wins
    pendingRow_ = row;
    return;
  }
  pixels_ = {};
  if (!analysis_ || row < 0) {
    siteId_.clear();
    metadata_->setText(tr("No site selected."));
    view_->setImage({}, false);
    return;
  }
  const auto& s = analysis_->sites;
  siteId_ = QString::fromStdString(s.siteId[row]);
  QString text = QStringLiteral("<b>%1</b><br>plate %2, well %3, site %4<br>%5<br>%6")
                     .arg(siteId_.toHtmlEscaped(), QString::fromStdString(s.plateNames[s.plateOfRow[row]]),
                          QString::fromStdString(s.well[row]))
                     .arg(s.site[row])
                     .arg(QString::fromStdString(s.cellType[row]), QString::fromStdString(s.diseaseCondition[row]));
  if (!s.treatment[row].empty())
    text += QStringLiteral("<br>%1 at %2 µM")
                .arg(QString::fromStdString(s.treatment[row]))
                .arg(s.concentrationMicromolar[row], 0, 'g', 3);
  if (analysis_->e2)
    text += QStringLiteral("<br>E2 On %1, Off %2")
                .arg(analysis_->e2->scores.on[row], 0, 'f', 3)
                .arg(analysis_->e2->scores.off[row], 0, 'f', 3);
  metadata_->setText(text);
  const data::Site* site = screen_ ? screen_->find(s.siteId[row]) : nullptr;
  if (!site) {
    metadata_->setText(text + tr("<br><i>Images not available (screen folder not found).</i>"));
    view_->setImage({}, false);
    return;
  }
  const data::Site copy = *site;
  loader_.setFuture(QtConcurrent::run([copy] { return data::loadSiteImage(copy, 0); }));
}

void SiteViewerPanel::recomposite(bool keepView) {
  if (pixels_.pixels.empty()) return;
  for (int c = 0; c < data::kModelChannels && c < static_cast<int>(styles_.size()); ++c) {
    styles_[c].visible = visible_[c]->isChecked();
    styles_[c].low = static_cast<float>(low_[c]->value());
    styles_[c].high = static_cast<float>(std::max(low_[c]->value() + 1, high_[c]->value()));
  }
  auto rgb = data::composite(pixels_.pixels.data(), pixels_.channels, pixels_.height, pixels_.width, styles_);
  QImage image(rgb.data(), pixels_.width, pixels_.height, pixels_.width * 3, QImage::Format_RGB888);
  view_->setImage(image.copy(), keepView);
}

void SiteViewerPanel::showPixel(int x, int y) {
  if (x < 0 || pixels_.pixels.empty()) {
    pixel_->clear();
    return;
  }
  QStringList values;
  for (int c = 0; c < pixels_.channels; ++c) {
    const float v = pixels_.channel(c)[static_cast<std::size_t>(y) * pixels_.width + x];
    values << QString::number(std::lround((v + 1.0f) * 127.5f));  // back to 8-bit units
  }
  pixel_->setText(tr("(%1, %2): %3").arg(x).arg(y).arg(values.join(QStringLiteral(" / "))));
}

QSize SiteViewerPanel::figureSize() const {
  return view_->image().isNull() ? QSize(512, 512) : view_->image().size().scaled(768, 768, Qt::KeepAspectRatio);
}

void SiteViewerPanel::renderFigure(QCPPainter& painter, const QSize& size) {
  painter.fillRect(QRect(QPoint(0, 0), size), Qt::black);
  if (!view_->image().isNull()) painter.drawImage(QRect(QPoint(0, 0), size), view_->image());
}

std::string SiteViewerPanel::figureCsv() const {
  std::ostringstream out;
  out << "channel,colour,low,high,visible\n";
  for (std::size_t c = 0; c < styles_.size() && c < visible_.size(); ++c)
    out << 'w' << c + 1 << ",#" << std::hex
        << (int(styles_[c].red) << 16 | int(styles_[c].green) << 8 | styles_[c].blue) << std::dec << ','
        << styles_[c].low << ',' << styles_[c].high << ',' << (styles_[c].visible ? 1 : 0) << '\n';
  return out.str();
}

}  // namespace gandl::ui
