// Example embedder plugin: the mean and standard deviation of each stain of a site (10 numbers),
// read with OpenCV. It uses nothing of the application but the header-only types of
// core/pipeline/embedder_plugin.h, as a plugin written outside this repository would.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>

#include "core/pipeline/embedder_plugin.h"

namespace {

using gandl::pipeline::EmbedderInfo;
using gandl::pipeline::EmbedderSetup;
using gandl::pipeline::PluginEmbedder;
using gandl::pipeline::SiteEmbedder;

class MeanIntensity : public SiteEmbedder {
 public:
  explicit MeanIntensity(const EmbedderSetup& setup) : sites_(setup.sites) {}

  int dimension() const override { return 10; }

  gandl::store::Provenance provenance() const override {
    return {{"checkpoint_hash", std::string("mean-intensity:1")},
            {"embedding", std::string("mean and standard deviation of each stain (plugin example)")}};
  }

  std::vector<std::string> featureNames() const override {
    std::vector<std::string> names;
    for (int c = 1; c <= 5; ++c) names.push_back("mean_w" + std::to_string(c));
    for (int c = 1; c <= 5; ++c) names.push_back("sd_w" + std::to_string(c));
    return names;
  }

  double embed(const std::vector<std::size_t>& items, const Sink& sink,
               const gandl::tasks::TaskContext& context) override {
    for (std::size_t k = 0; k < items.size(); ++k) {
      context.checkCancelled();
      const auto& site = sites_.at(items[k]);
      std::vector<float> row(10);
      for (std::size_t c = 0; c < 5 && c < site.channel_files.size(); ++c) {
        const cv::Mat image = cv::imread(site.channel_files[c].string(), cv::IMREAD_UNCHANGED);
        if (image.empty()) throw std::runtime_error(site.channel_files[c].string() + ": cannot be read");
        cv::Scalar mean, sd;
        cv::meanStdDev(image, mean, sd);
        row[c] = static_cast<float>(mean[0]);
        row[5 + c] = static_cast<float>(sd[0]);
      }
      sink({items[k]}, row);
      context.report(static_cast<std::int64_t>(k + 1), static_cast<std::int64_t>(items.size()), "sites");
    }
    return 0.0;
  }

 private:
  const std::vector<gandl::data::Site>& sites_;
};

void embedders(std::vector<PluginEmbedder>& out) {
  EmbedderInfo info;
  info.name = "mean-intensity";
  info.version = "1";
  info.description = "per-stain mean and standard deviation (example plugin)";
  info.needs = gandl::pipeline::EmbedderNeeds::Nothing;
  info.dimension = 10;
  out.push_back({info, [](const EmbedderSetup& setup) { return std::make_unique<MeanIntensity>(setup); }});
}

}  // namespace

GANDL_EMBEDDER_PLUGIN(embedders)
