#pragma once
// How the scatter, the 3-D view and their legends colour sites: by condition (C+ / C- /
// compound), cell type, dose or plate. One function so both views agree.

#include <QColor>
#include <QString>
#include <QVector>
#include <vector>

namespace gandl::pipeline {
struct SiteTable;
}

namespace gandl::ui {

enum class ColourBy { Condition, CellType, Dose, Plate };
QString colourByName(ColourBy by);

struct SiteColouring {
  std::vector<quint16> categoryOfRow;
  QVector<QString> names;
  QVector<QColor> colours;
};

SiteColouring colourSites(const pipeline::SiteTable& sites, ColourBy by);

}  // namespace gandl::ui
