#include "ui/site_colouring.h"

#include <cmath>
#include <map>
#include <set>

#include "core/pipeline/analyze_task.h"
#include "ui/plot_style.h"

namespace gandl::ui {

QString colourByName(ColourBy by) {
  switch (by) {
    case ColourBy::Condition:
      return QStringLiteral("condition");
    case ColourBy::CellType:
      return QStringLiteral("cell type");
    case ColourBy::Dose:
      return QStringLiteral("dose");
    case ColourBy::Plate:
      return QStringLiteral("plate");
  }
  return {};
}

namespace {

// Categories in order of first appearance, coloured categorically.
SiteColouring byText(const std::vector<std::string>& keys) {
  SiteColouring out;
  std::map<std::string, quint16> index;
  out.categoryOfRow.reserve(keys.size());
  for (const auto& key : keys) {
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, static_cast<quint16>(out.names.size())).first;
      out.names << QString::fromStdString(key);
      out.colours << categoricalColor(out.names.size() - 1);
    }
    out.categoryOfRow.push_back(it->second);
  }
  return out;
}

}  // namespace

SiteColouring colourSites(const pipeline::SiteTable& sites, ColourBy by) {
  using Role = pipeline::SiteTable::Role;
  const std::size_t n = sites.size();
  switch (by) {
    case ColourBy::Condition: {
      // Fixed colours for the controls so they read the same in every screen.
      SiteColouring out;
      out.names = {QStringLiteral("C+ uninfected"), QStringLiteral("C- infected"), QStringLiteral("compound"),
                   QStringLiteral("other")};
      out.colours = {QColor(30, 150, 60), QColor(210, 40, 40), QColor(70, 110, 200), QColor(150, 150, 150)};
      out.categoryOfRow.resize(n);
      for (std::size_t r = 0; r < n; ++r) {
        switch (sites.role[r]) {
          case Role::PositiveControl:
            out.categoryOfRow[r] = 0;
            break;
          case Role::NegativeControl:
            out.categoryOfRow[r] = 1;
            break;
          case Role::Compound:
            out.categoryOfRow[r] = 2;
            break;
          default:
            out.categoryOfRow[r] = 3;
            break;
        }
      }
      return out;
    }
    case ColourBy::CellType:
      return byText(sites.cellType);
    case ColourBy::Plate: {
      std::vector<std::string> names(n);
      for (std::size_t r = 0; r < n; ++r) names[r] = sites.plateNames[sites.plateOfRow[r]];
      return byText(names);
    }
    case ColourBy::Dose: {
      std::set<double> doses;
      for (double c : sites.concentrationMicromolar)
        if (c > 0) doses.insert(c);
      SiteColouring out;
      out.names << QStringLiteral("no dose (controls)");
      out.colours << QColor(170, 170, 170);
      std::map<double, quint16> index;
      int i = 0;
      for (double d : doses) {
        index[d] = static_cast<quint16>(out.names.size());
        out.names << QStringLiteral("%1 µM").arg(d, 0, 'g', 3);
        out.colours << sequentialColor(doses.size() > 1 ? double(i) / (doses.size() - 1) : 1.0);
        ++i;
      }
      out.categoryOfRow.resize(n);
      for (std::size_t r = 0; r < n; ++r) {
        const double c = sites.concentrationMicromolar[r];
        out.categoryOfRow[r] = c > 0 ? index[c] : 0;
      }
      return out;
    }
  }
  return {};
}

}  // namespace gandl::ui
