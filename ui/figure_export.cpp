#include "ui/figure_export.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QToolButton>
#include <QWidget>
#include "ui/plots/qcustomplot.h"
#include <algorithm>
#include <stdexcept>

#include "ui/figure_export_dialog.h"

namespace gandl::ui {

namespace {

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// QSaveFile gives the temp-name-then-rename guarantee for every format.
void commit(QSaveFile& file) {
  if (!file.commit())
    throw std::runtime_error(file.fileName().toStdString() + ": could not be written (" +
                             file.errorString().toStdString() + ")");
}

void openOrThrow(QSaveFile& file) {
  if (!file.open(QIODevice::WriteOnly))
    throw std::runtime_error(file.fileName().toStdString() + ": cannot open for writing (" +
                             file.errorString().toStdString() + ")");
}

}  // namespace

FigureFormat figureFormatFromSuffix(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) return FigureFormat::Png;
  if (suffix == QLatin1String("svg")) return FigureFormat::Svg;
  if (suffix == QLatin1String("pdf")) return FigureFormat::Pdf;
  if (suffix == QLatin1String("csv")) return FigureFormat::Csv;
  throw std::invalid_argument(path.toStdString() + ": expected a .png, .svg, .pdf or .csv file");
}

void writeTextFile(const QString& path, const std::string& text) {
  QSaveFile file(path);
  openOrThrow(file);
  file.write(text.data(), static_cast<qint64>(text.size()));
  commit(file);
}

QSizeF figurePageSize(const ExportableFigure& figure, const FigureExportSettings& settings) {
  if (settings.width_mm > 0 && settings.height_mm > 0)
    return {settings.width_mm / 25.4 * 72.0, settings.height_mm / 25.4 * 72.0};
  const QSize natural = figure.figureSize();
  return {natural.width() * 72.0 / 96.0, natural.height() * 72.0 / 96.0};
}

namespace {

// Paint devices resolve point-sized fonts at their logical dpi; every device below is set to 72
// while the figure is drawn, so one unit of the painter is one point and the text is exactly
// settings.font_pt whatever the format.
constexpr int kPointsPerInch = 72;

void drawFigure(ExportableFigure& figure, QCPPainter& painter, const QSize& size,
                const FigureExportSettings& settings) {
  QFont font = QApplication::font();
  font.setPointSizeF(settings.font_pt > 0 ? settings.font_pt : 8.0);
  painter.setFont(font);
  // The units are points, not device pixels: no half-pixel shifts for pixel-aligned lines.
  painter.setMode(QCPPainter::pmVectorized);
  figure.renderFigure(painter, size);
}

int dotsPerMeter(double dpi) { return qRound(dpi / 0.0254); }

}  // namespace

void exportFigure(ExportableFigure& figure, const QString& path, FigureFormat format,
                  const FigureExportSettings& settings) {
  const QSizeF page = figurePageSize(figure, settings);
  const QSize size(std::max(1, qRound(page.width())), std::max(1, qRound(page.height())));
  switch (format) {
    case FigureFormat::Csv:
      writeTextFile(path, figure.figureCsv());
      return;
    case FigureFormat::Png: {
      const int dpi = std::clamp(settings.dpi, 36, 2400);
      const double scale = double(dpi) / kPointsPerInch;
      QImage image(std::max(1, qRound(page.width() * scale)), std::max(1, qRound(page.height() * scale)),
                   QImage::Format_ARGB32_Premultiplied);
      image.fill(Qt::white);
      image.setDotsPerMeterX(dotsPerMeter(kPointsPerInch));
      image.setDotsPerMeterY(dotsPerMeter(kPointsPerInch));
      {
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        painter.scale(scale, scale);
        drawFigure(figure, painter, size, settings);
      }
      // The file says its real resolution, so a layout program places it at the chosen size.
      image.setDotsPerMeterX(dotsPerMeter(dpi));
      image.setDotsPerMeterY(dotsPerMeter(dpi));
      QSaveFile file(path);
      openOrThrow(file);
      if (!image.save(&file, "PNG")) throw std::runtime_error(path.toStdString() + ": PNG encoding failed");
      commit(file);
      return;
    }
    case FigureFormat::Svg: {
      QSaveFile file(path);
      openOrThrow(file);
      QSvgGenerator generator;
      generator.setOutputDevice(&file);
      generator.setResolution(kPointsPerInch);  // width and height attributes in mm follow from it
      generator.setSize(size);
      generator.setViewBox(QRect(QPoint(0, 0), size));
      generator.setTitle(figure.figureName());
      generator.setDescription(QStringLiteral("GAN-DL Workbench"));
      {
        QCPPainter painter(&generator);
        drawFigure(figure, painter, size, settings);
      }
      commit(file);
      return;
    }
    case FigureFormat::Pdf: {
      QSaveFile file(path);
      openOrThrow(file);
      {
        QPdfWriter writer(&file);
        writer.setResolution(kPointsPerInch);
        writer.setTitle(figure.figureName());
        writer.setCreator(QStringLiteral("GAN-DL Workbench"));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        // In mm: QPageSize rounds a size in points to whole points.
        writer.setPageSize(QPageSize(page / 72.0 * 25.4, QPageSize::Millimeter, QString(), QPageSize::ExactMatch));
        QCPPainter painter(&writer);
        drawFigure(figure, painter, size, settings);
      }
      commit(file);
      return;
    }
  }
}

QStringList exportFigureSet(ExportableFigure& figure, const QString& folder, const FigureExportSettings& settings) {
  QDir().mkpath(folder);
  QStringList written;
  const std::pair<const char*, FigureFormat> formats[] = {
      {"png", FigureFormat::Png}, {"svg", FigureFormat::Svg}, {"pdf", FigureFormat::Pdf}, {"csv", FigureFormat::Csv}};
  for (const auto& [suffix, format] : formats) {
    const QString path = QDir(folder).filePath(figure.figureName() + QLatin1Char('.') + QLatin1String(suffix));
    exportFigure(figure, path, format, settings);
    written << path;
  }
  return written;
}

std::string tableCsv(const QAbstractItemModel& model) {
  QString out;
  QStringList header;
  for (int c = 0; c < model.columnCount(); ++c)
    header << csvField(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
  out += header.join(QLatin1Char(',')) + QLatin1Char('\n');
  for (int r = 0; r < model.rowCount(); ++r) {
    QStringList fields;
    for (int c = 0; c < model.columnCount(); ++c)
      fields << csvField(model.data(model.index(r, c), Qt::DisplayRole).toString());
    out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
  }
  return out.toStdString();
}

void renderWidget(QWidget& widget, QCPPainter& painter, const QSize& size) {
  const QSize natural = widget.size();
  painter.save();
  if (!natural.isEmpty())
    painter.scale(double(size.width()) / natural.width(), double(size.height()) / natural.height());
  widget.render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
  painter.restore();
}

QWidget* makeExportButton(ExportableFigure& figure, QWidget* owner) {
  auto* button = new QToolButton(owner);
  button->setText(QObject::tr("Export"));
  button->setObjectName(QStringLiteral("exportButton"));
  button->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(button);
  QObject::connect(menu->addAction(QObject::tr("Figure (PNG, SVG, PDF)...")), &QAction::triggered, owner,
                   [&figure, owner] {
                     FigureExportDialog dialog(figure, owner);
                     dialog.exec();
                   });
  QObject::connect(menu->addAction(QObject::tr("Data as CSV...")), &QAction::triggered, owner, [&figure, owner] {
    const QString path = QFileDialog::getSaveFileName(
        owner, QObject::tr("Export data"), figure.figureName() + QStringLiteral(".csv"), QObject::tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    try {
      exportFigure(figure, path, FigureFormat::Csv);
    } catch (const std::exception& e) {
      QMessageBox::warning(owner, QObject::tr("Export failed"), QString::fromStdString(e.what()));
    }
  });
  button->setMenu(menu);
  return button;
}

}  // namespace gandl::ui
