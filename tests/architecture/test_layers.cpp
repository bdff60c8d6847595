// The layers hold themselves: every file of core/, ui/ and app/ obeys the include rules of
// docs/architecture.md, and the checker does catch a file that breaks each rule.

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/architecture/layer_rules.h"

namespace fs = std::filesystem;
using namespace gandl::architecture;

class TestLayers : public QObject {
  Q_OBJECT

  static std::vector<SourceFile> tree() {
    std::vector<SourceFile> files;
    const fs::path root(GANDL_SOURCE_DIR);
    for (const char* top : {"core", "ui", "app"}) {
      for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
        const auto ext = entry.path().extension();
        if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        files.push_back({fs::relative(entry.path(), root).generic_string(), text.str()});
      }
    }
    return files;
  }

 private Q_SLOTS:
  void theTreeObeysTheRules() {
    const auto files = tree();
    QVERIFY(files.size() > 100);
    std::string report;
    for (const auto& v : layerViolations(files)) report += v + "\n";
    QVERIFY2(report.empty(), report.c_str());
  }

  void facadesAreTheTorchFreeModelHeaders() {
    const auto facades = torchFreeModelHeaders(tree());
    QVERIFY(facades.count("core/model/training_config.h"));
    QVERIFY(facades.count("core/model/torch_runtime.h"));
    QVERIFY(facades.count("core/model/embedder.h"));
    QVERIFY(!facades.count("core/model/discriminator.h"));  // includes torch directly
    QVERIFY(!facades.count("core/model/checkpoint.h"));     // through generator.h and discriminator.h
  }

  void eachRuleCatchesItsBreach() {
    const std::vector<std::pair<SourceFile, std::string>> breaches = {
        {{"ui/panels/x.cpp", "#include <torch/torch.h>\n"}, "never sees LibTorch"},
        {{"ui/x.cpp", "#include \"core/model/discriminator.h\"\n"}, "torch-free core/model facades"},
        {{"ui/x.cpp", "#include \"core/model/wrapper.h\"\n"}, "torch-free core/model facades"},
        {{"app/workbench/x.cpp", "#include <ATen/ATen.h>\n"}, "never sees LibTorch"},
        {{"core/data/x.cpp", "#include \"core/model/image_source.h\"\n"}, "lower layers"},
        {{"core/store/x.h", "  #  include \"core/pipeline/embed_task.h\"\n"}, "lower layers"},
        {{"core/analysis/x.cpp", "#include \"core/data/screen.h\"\n"}, "lower layers"},
        {{"core/model/x.cpp", "#include \"core/data/screen.h\"\n"}, "lower layers"},
        {{"core/model/x.cpp", "#include <opencv2/core.hpp>\n"}, "LibTorch and the standard library only"},
        {{"core/data/x.cpp", "#include <torch/torch.h>\n"}, "use LibTorch"},
        {{"core/pipeline/x.h", "#include <torch/torch.h>\n"}, "torch-free facades"},
        {{"core/pipeline/x.cpp", "#include <QWidget>\n"}, "free of Qt"},
        {{"core/tasks/x.h", "#include \"ui/workspace.h\"\n"}, "does not know the GUI"},
        {{"app/gandl/x.cpp", "#include \"ui/workspace.h\"\n"}, "does not link the GUI"},
    };
    for (const auto& [file, why] : breaches) {
      std::vector<SourceFile> files = {file,
                                       {"core/model/discriminator.h", "#include <torch/torch.h>\n"},
                                       {"core/model/wrapper.h", "#include \"core/model/discriminator.h\"\n"}};
      const auto found = layerViolations(files);
      bool named = false;
      for (const auto& v : found) named = named || (v.find(file.path) == 0 && v.find(why) != std::string::npos);
      QVERIFY2(named, (file.path + " should break '" + why + "'").c_str());
    }
    // Allowed includes stay quiet.
    const std::vector<SourceFile> fine = {
        {"core/model/torch_runtime.h", "#include <string>\n"},
        {"ui/x.cpp",
         "#include \"core/model/torch_runtime.h\"\n#include \"core/pipeline/demo.h\"\n#include <QWidget>\n"},
        {"core/pipeline/x.cpp", "#include <torch/torch.h>\n#include \"core/model/checkpoint.h\"\n"},
        {"core/store/x.cpp", "#include \"core/data/screen.h\"\n"}};
    QVERIFY(layerViolations(fine).empty());
  }
};

QTEST_GUILESS_MAIN(TestLayers)
#include "test_layers.moc"
