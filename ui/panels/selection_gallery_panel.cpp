#include "ui/panels/selection_gallery_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <exception>
#include <optional>

#include "core/data/composite.h"
#include "core/data/screen.h"
#include "core/data/site_loader.h"
#include "core/pipeline/analysis_result.h"
#include "ui/selection_model.h"

namespace gandl::ui {

namespace {

constexpr int kRowRole = Qt::UserRole;

// One display range per channel for every thumbnail: percentiles of all their pixels together.
std::vector<data::ChannelStyle> sharedStyles(const std::vector<data::SiteImage>& images) {
  auto styles = data::rxrxChannelStyles();
  std::vector<data::ChannelPlanes> usable;
  for (const auto& image : images)
    if (!image.pixels.empty() && image.channels == data::kModelChannels)
      usable.push_back({image.pixels.data(), static_cast<std::size_t>(image.height) * image.width});
  data::autoContrastAcross(styles, usable);
  return styles;
}

}  // namespace

SelectionGalleryPanel::SelectionGalleryPanel(SelectionModel* selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  setObjectName(QStringLiteral("selectionGallery"));
  list_ = new QListWidget(this);
  list_->setObjectName(QStringLiteral("galleryList"));
  list_->setViewMode(QListView::IconMode);
  list_->setResizeMode(QListView::Adjust);
  list_->setMovement(QListView::Static);
  list_->setUniformItemSizes(true);
  list_->setSpacing(4);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  status_ = new QLabel(tr("Select sites (a compound, a lasso, a well) to see them here."), this);
  status_->setObjectName(QStringLiteral("galleryStatus"));
  status_->setWordWrap(true);
  size_ = new QSpinBox(this);
  size_->setObjectName(QStringLiteral("thumbnailSize"));
  size_->setRange(48, 256);
  size_->setSingleStep(16);
  size_->setValue(112);
  size_->setSuffix(tr(" px"));
  size_->setToolTip(tr("Thumbnail size"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(status_, 1);
  bar->addWidget(size_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(list_, 1);

  connect(selection_, &SelectionModel::rowsChanged, this, &SelectionGalleryPanel::reload);
  connect(&loader_, &QFutureWatcher<Thumbnails>::finished, this, &SelectionGalleryPanel::showThumbnails);
  connect(size_, &QSpinBox::valueChanged, this, &SelectionGalleryPanel::reload);
  connect(list_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { selection_->showSelectedSite(item->data(kRowRole).toInt()); });
  connect(selection_, &SelectionModel::currentRowChanged, this, [this](int row) {
    for (int i = 0; i < list_->count(); ++i)
      if (list_->item(i)->data(kRowRole).toInt() == row) list_->setCurrentRow(i);
  });
}

void SelectionGalleryPanel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  reload();
}

void SelectionGalleryPanel::setScreen(std::shared_ptr<const data::Screen> screen) {
  screen_ = std::move(screen);
  reload();
}

void SelectionGalleryPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_) reload();
}

void SelectionGalleryPanel::reload() {
  ++generation_;
  if (!isVisible()) {
    stale_ = true;
    return;
  }
  stale_ = false;
  if (loader_.isRunning()) {  // one load at a time; the newest selection wins when it ends
    reloadPending_ = true;
    return;
  }
  reloadPending_ = false;
  const auto& rows = selection_->rows();
  if (!analysis_ || rows.empty()) {
    list_->clear();
    shownRows_.clear();
    status_->setText(tr("Select sites (a compound, a lasso, a well) to see them here."));
    return;
  }
  if (!screen_) {
    list_->clear();
    shownRows_.clear();
    status_->setText(tr("%n site(s) selected; their images are not available (screen folder not found).", nullptr,
                        static_cast<int>(rows.size())));
    return;
  }
  Thumbnails request;
  request.generation = generation_;
  request.rows.assign(rows.begin(), rows.begin() + std::min<std::size_t>(rows.size(), kMaxThumbnails));
  std::vector<std::optional<data::Site>> sites;
  for (auto row : request.rows) {
    const data::Site* site = screen_->find(analysis_->sites.siteId[row]);
    sites.push_back(site ? std::optional<data::Site>(*site) : std::nullopt);
  }
  status_->setText(tr("Loading %n image(s)...", nullptr, static_cast<int>(request.rows.size())));
  const int side = size_->value();
  loader_.setFuture(QtConcurrent::run([request, sites, side]() mutable {
    std::vector<data::SiteImage> images(sites.size());
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (!sites[i]) continue;
      try {
        images[i] = data::loadSiteImage(*sites[i], 0);
      } catch (const std::exception&) {
        images[i] = {};  // shown as missing; the site viewer names the error when it is opened
      }
    }
    const auto styles = sharedStyles(images);
    for (const auto& image : images) {
      if (image.pixels.empty()) {
        request.images.emplace_back();
        continue;
      }
      auto rgb = data::composite(image.pixels.data(), image.channels, image.height, image.width, styles);
      const QImage full(rgb.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888);
      request.images.push_back(full.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    }
    return request;
  }));
}

void SelectionGalleryPanel::showThumbnails() {
  const Thumbnails result = loader_.result();
  if (reloadPending_ || result.generation != generation_ || !analysis_) {
    reload();
    return;
  }
  list_->clear();
  shownRows_ = result.rows;
  const int side = size_->value();
  list_->setIconSize(QSize(side, side));
  const auto& s = analysis_->sites;
  int missing = 0;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const auto row = result.rows[i];
    QImage image = result.images[i];
    if (image.isNull()) {
      ++missing;
      image = QImage(side, side, QImage::Format_RGB888);
      image.fill(Qt::darkGray);
    }
    auto* item =
        new QListWidgetItem(QIcon(QPixmap::fromImage(image)),
                            QStringLiteral("%1 s%2").arg(QString::fromStdString(s.well[row])).arg(s.site[row]));
    QString tip = QString::fromStdString(s.siteId[row]) + QLatin1Char('\n') +
                  QString::fromStdString(s.cellType[row] + ", " + s.diseaseCondition[row]);
    if (!s.treatment[row].empty())
      tip += QStringLiteral("\n%1 at %2 µM")
                 .arg(QString::fromStdString(s.treatment[row]))
                 .arg(s.concentrationMicromolar[row], 0, 'g', 3);
    item->setToolTip(tip);
    item->setData(kRowRole, static_cast<int>(row));
    list_->addItem(item);
  }
  const int selected = static_cast<int>(selection_->rows().size());
  QString text = selected > kMaxThumbnails
                     ? tr("%1 of %2 selected sites (the first %1); one display range per channel for all.")
                           .arg(result.rows.size())
                           .arg(selected)
                     : tr("%n selected site(s); one display range per channel for all.", nullptr, selected);
  if (missing > 0) text += tr(" %n could not be read (grey).", nullptr, missing);
  status_->setText(text);
  Q_EMIT thumbnailsShown(static_cast<int>(result.rows.size()));
}

}  // namespace gandl::ui
