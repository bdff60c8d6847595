#include "ui/project_file.h"

#include <QFile>
#include <QFileInfo>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ui/figure_export.h"

namespace gandl::ui {

namespace {
constexpr const char* kFormat = "gandl-workbench-project";

QString text(const nlohmann::json& json, const char* key, const QString& fallback, const QString& file) {
  if (!json.contains(key)) return fallback;
  if (!json[key].is_string())
    throw std::runtime_error(file.toStdString() + ": '" + key + "' must be a string, got " + json[key].dump());
  return QString::fromStdString(json[key].get<std::string>());
}
}  // namespace

QStringList Project::missingPaths() const {
  QStringList missing;
  if (!screen.isEmpty() && !QFileInfo::exists(screen)) missing << QStringLiteral("screen: %1").arg(screen);
  if (!store.isEmpty() && !QFileInfo::exists(store)) missing << QStringLiteral("store: %1").arg(store);
  if (!checkpoint.isEmpty() && checkpoint != QLatin1String("demo") && !QFileInfo::exists(checkpoint))
    missing << QStringLiteral("checkpoint: %1").arg(checkpoint);
  return missing;
}

Project readProject(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    throw std::runtime_error(path.toStdString() + ": cannot open (" + file.errorString().toStdString() + ")");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(file.readAll().toStdString());
  } catch (const std::exception& e) {
    throw std::runtime_error(path.toStdString() + ": not a JSON project file (" + e.what() + ")");
  }
  if (!json.is_object() || json.value("format", std::string()) != kFormat)
    throw std::runtime_error(path.toStdString() + ": expected \"format\": \"" + kFormat + "\"");
  Project p;
  p.screen = text(json, "screen", {}, path);
  p.store = text(json, "store", {}, path);
  p.checkpoint = text(json, "checkpoint", p.checkpoint, path);
  if (json.contains("analysis")) {
    const auto& a = json["analysis"];
    p.analysis.normalization = text(a, "normalization", p.analysis.normalization, path);
    p.analysis.embedding = text(a, "embedding", {}, path);
    p.analysis.compare = text(a, "compare", {}, path);
    p.analysis.plateaus = text(a, "plateaus", p.analysis.plateaus, path);
    if (p.analysis.plateaus != QLatin1String("anchored") && p.analysis.plateaus != QLatin1String("free"))
      throw std::runtime_error(path.toStdString() + ": 'analysis.plateaus' must be \"anchored\" or \"free\", got \"" +
                               p.analysis.plateaus.toStdString() + "\"");
    if (a.contains("seed")) {
      if (!a["seed"].is_number_unsigned())
        throw std::runtime_error(path.toStdString() + ": 'analysis.seed' must be a non-negative integer, got " +
                                 a["seed"].dump());
      p.analysis.seed = a["seed"].get<quint64>();
    }
  }
  if (json.contains("view")) {
    const auto& v = json["view"];
    if (v.contains("panels"))
      for (const auto& name : v["panels"]) p.openPanels << QString::fromStdString(name.get<std::string>());
    p.space = text(v, "space", p.space, path);
    p.colourBy = text(v, "colour_by", p.colourBy, path);
    p.plate = v.value("plate", 0);
    p.allPlates = v.value("all_plates", false);
    p.windowState = QByteArray::fromBase64(text(v, "layout", {}, path).toLatin1());
  }
  return p;
}

void writeProject(const Project& p, const QString& path) {
  nlohmann::json panels = nlohmann::json::array();
  for (const auto& name : p.openPanels) panels.push_back(name.toStdString());
  const nlohmann::json json = {{"format", kFormat},
                               {"version", 1},
                               {"screen", p.screen.toStdString()},
                               {"store", p.store.toStdString()},
                               {"checkpoint", p.checkpoint.toStdString()},
                               {"analysis",
                                {{"normalization", p.analysis.normalization.toStdString()},
                                 {"embedding", p.analysis.embedding.toStdString()},
                                 {"compare", p.analysis.compare.toStdString()},
                                 {"plateaus", p.analysis.plateaus.toStdString()},
                                 {"seed", p.analysis.seed}}},
                               {"view",
                                {{"panels", panels},
                                 {"space", p.space.toStdString()},
                                 {"colour_by", p.colourBy.toStdString()},
                                 {"plate", p.plate},
                                 {"all_plates", p.allPlates},
                                 {"layout", p.windowState.toBase64().toStdString()}}}};
  writeTextFile(path, json.dump(2) + "\n");
}

}  // namespace gandl::ui
