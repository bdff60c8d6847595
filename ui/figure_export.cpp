#include "ui/figure_export.h"

#include <QAbstractItemModel>
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
#include <stdexcept>

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

void exportFigure(ExportableFigure& figure, const QString& path, FigureFormat format, int dpi) {
  const QSize size = figure.figureSize();
  switch (format) {
    case FigureFormat::Csv:
      writeTextFile(path, figure.figureCsv());
      return;
    case FigureFormat::Png: {
      const double scale = dpi / 96.0;
      QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
      image.fill(Qt::white);
      image.setDotsPerMeterX(qRound(dpi / 0.0254));
      image.setDotsPerMeterY(qRound(dpi / 0.0254));
      {
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(scale, scale);
        figure.renderFigure(painter, size);
      }
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
      generator.setSize(size);
      generator.setViewBox(QRect(QPoint(0, 0), size));
      generator.setTitle(figure.figureName());
      generator.setDescription(QStringLiteral("GAN-DL Workbench"));
      {
        QCPPainter painter(&generator);
        figure.renderFigure(painter, size);
      }
      commit(file);
      return;
    }
    case FigureFormat::Pdf: {
      QSaveFile file(path);
      openOrThrow(file);
      {
        QPdfWriter writer(&file);
        writer.setResolution(dpi);
        writer.setTitle(figure.figureName());
        writer.setCreator(QStringLiteral("GAN-DL Workbench"));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        // The page is the figure at 96 px per inch.
        writer.setPageSize(
            QPageSize(QSizeF(size.width() / 96.0 * 72.0, size.height() / 96.0 * 72.0), QPageSize::Point));
        QCPPainter painter(&writer);
        const double scale = writer.resolution() / 96.0;
        painter.scale(scale, scale);
        figure.renderFigure(painter, size);
      }
      commit(file);
      return;
    }
  }
}

QStringList exportFigureSet(ExportableFigure& figure, const QString& folder, int dpi) {
  QDir().mkpath(folder);
  QStringList written;
  const std::pair<const char*, FigureFormat> formats[] = {
      {"png", FigureFormat::Png}, {"svg", FigureFormat::Svg}, {"pdf", FigureFormat::Pdf}, {"csv", FigureFormat::Csv}};
  for (const auto& [suffix, format] : formats) {
    const QString path = QDir(folder).filePath(figure.figureName() + QLatin1Char('.') + QLatin1String(suffix));
    exportFigure(figure, path, format, dpi);
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
  const std::pair<QString, QString> entries[] = {{QObject::tr("Figure as PNG..."), QStringLiteral("png")},
                                                 {QObject::tr("Figure as SVG..."), QStringLiteral("svg")},
                                                 {QObject::tr("Figure as PDF..."), QStringLiteral("pdf")},
                                                 {QObject::tr("Data as CSV..."), QStringLiteral("csv")}};
  for (const auto& [label, suffix] : entries) {
    QObject::connect(menu->addAction(label), &QAction::triggered, owner, [&figure, owner, suffix = suffix] {
      const QString path =
          QFileDialog::getSaveFileName(owner, QObject::tr("Export"), figure.figureName() + QLatin1Char('.') + suffix,
                                       suffix.toUpper() + QStringLiteral(" (*.") + suffix + ')');
      if (path.isEmpty()) return;
      try {
        exportFigure(figure, path, figureFormatFromSuffix(path), 300);
      } catch (const std::exception& e) {
        QMessageBox::warning(owner, QObject::tr("Export failed"), QString::fromStdString(e.what()));
      }
    });
  }
  button->setMenu(menu);
  return button;
}

}  // namespace gandl::ui
