#pragma once
// The layer rules of docs/architecture.md as code: which folder may include what. Pure
// functions over (path, text) pairs so a test can check both the real tree and files built to
// break each rule.

#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gandl::architecture {

struct SourceFile {
  std::string path;  // relative to the source root, e.g. "core/data/csv.cpp"
  std::string text;
};

struct Include {
  std::string target;
  bool angled = false;
  int line = 0;
};

inline std::vector<Include> includesOf(const std::string& text) {
  static const std::regex pattern(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_search(line, m, pattern)) out.push_back({m[2].str(), m[1].str() == "<", n});
  }
  return out;
}

inline bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

inline bool isTorchHeader(const Include& inc) {
  return inc.angled && (startsWith(inc.target, "torch/") || startsWith(inc.target, "ATen/") ||
                        startsWith(inc.target, "c10/") || startsWith(inc.target, "caffe2/"));
}

inline bool isQtHeader(const Include& inc) {
  return inc.angled && (std::regex_match(inc.target, std::regex(R"(Q[A-Za-z0-9]*(/.*)?|Qt.*|q[a-z]+\.h)")) ||
                        startsWith(inc.target, "qcustomplot"));
}

// The core/model headers that reach no LibTorch header through the repository's includes: the
// torch-free facades the GUI and the CLI may use.
inline std::set<std::string> torchFreeModelHeaders(const std::vector<SourceFile>& files) {
  std::map<std::string, std::vector<Include>> includes;
  for (const auto& f : files) includes[f.path] = includesOf(f.text);
  std::map<std::string, int> state;  // 0 unknown, 1 visiting, 2 torch-free, 3 torch
  std::function<bool(const std::string&)> reachesTorch = [&](const std::string& path) -> bool {
    auto& s = state[path];
    if (s == 2 || s == 1) return false;
    if (s == 3) return true;
    s = 1;
    bool torch = false;
    for (const auto& inc : includes[path]) {
      if (isTorchHeader(inc))
        torch = true;
      else if (!inc.angled && includes.count(inc.target) && reachesTorch(inc.target))
        torch = true;
    }
    state[path] = torch ? 3 : 2;
    return torch;
  };
  std::set<std::string> out;
  for (const auto& f : files)
    if (startsWith(f.path, "core/model/") && f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".h" &&
        !reachesTorch(f.path))
      out.insert(f.path);
  return out;
}

// One line per broken rule: "path:line: includes X: why".
inline std::vector<std::string> layerViolations(const std::vector<SourceFile>& files) {
  const auto facades = torchFreeModelHeaders(files);
  std::vector<std::string> out;
  // Project folders each core layer may include (besides its own).
  const std::map<std::string, std::vector<std::string>> coreAllowed = {
      {"core/common/", {}},
      {"core/tasks/", {}},
      {"core/data/", {"core/common/", "core/tasks/"}},
      {"core/store/", {"core/common/", "core/tasks/", "core/data/"}},
      {"core/analysis/", {"core/common/", "core/tasks/"}},
      {"core/model/", {"core/common/", "core/tasks/"}},
      {"core/pipeline/", {"core/common/", "core/tasks/", "core/data/", "core/store/", "core/analysis/", "core/model/"}},
  };
  for (const auto& f : files) {
    for (const auto& inc : includesOf(f.text)) {
      const std::string where = f.path + ":" + std::to_string(inc.line) + ": includes " + inc.target + ": ";
      if (startsWith(f.path, "core/")) {
        if (isQtHeader(inc)) out.push_back(where + "core/ is free of Qt");
        if (!inc.angled && (startsWith(inc.target, "ui/") || startsWith(inc.target, "app/")))
          out.push_back(where + "core/ does not know the GUI or the apps");
        for (const auto& [layer, allowed] : coreAllowed) {
          if (!startsWith(f.path, layer)) continue;
          if (!inc.angled && startsWith(inc.target, "core/") && !startsWith(inc.target, layer)) {
            bool ok = false;
            for (const auto& a : allowed) ok = ok || startsWith(inc.target, a);
            if (!ok) out.push_back(where + layer + " may include only " + layer + " and its lower layers");
          }
          if (layer == "core/model/" && inc.angled &&
              (startsWith(inc.target, "opencv2/") || startsWith(inc.target, "H5") || startsWith(inc.target, "hdf5") ||
               startsWith(inc.target, "Eigen/") || startsWith(inc.target, "svm") || startsWith(inc.target, "linear.h")))
            out.push_back(where + "core/model/ needs LibTorch and the standard library only");
          if (layer != "core/model/" && layer != "core/pipeline/" && isTorchHeader(inc))
            out.push_back(where + "only core/model/ (and core/pipeline/ implementations) use LibTorch");
          if (layer == "core/pipeline/" && isTorchHeader(inc) && f.path.substr(f.path.size() - 2) == ".h")
            out.push_back(where + "core/pipeline/ headers are torch-free facades");
        }
      }
      if (startsWith(f.path, "ui/") || startsWith(f.path, "app/workbench/")) {
        if (isTorchHeader(inc)) out.push_back(where + "the GUI never sees LibTorch");
        if (!inc.angled && startsWith(inc.target, "core/model/") && !facades.count(inc.target))
          out.push_back(where + "the GUI may use only torch-free core/model facades");
        if (!inc.angled && startsWith(inc.target, "app/")) out.push_back(where + "ui/ does not know the apps");
      }
      if (startsWith(f.path, "app/gandl/") && !inc.angled && startsWith(inc.target, "ui/"))
        out.push_back(where + "the command line does not link the GUI");
    }
  }
  return out;
}

}  // namespace gandl::architecture
