#include "core/pipeline/generator_sampling.h"

#include <torch/torch.h>

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"

#include "core/model/checkpoint.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"

namespace gandl::pipeline {

GeneratedImages sampleGenerator(const std::string& model, std::uint64_t seed, int count, double truncation,
                                const std::string& device) {
  if (count < 1) throw std::invalid_argument("sample count must be at least 1, got " + std::to_string(count));
  if (!(truncation >= 0.0 && truncation <= 1.0))
    throw std::invalid_argument("truncation must be in [0, 1], got " + std::to_string(truncation));
  const auto runDir = model::resolveCheckpointDirectory(model);
  const torch::Device target(model::resolveDevice(device));
  std::int64_t step = 0;
  model::Generator generator = model::loadGeneratorEma(runDir, target, &step);
  const int zDim = model::RunDirectory(runDir).readConfig().network.z_dim;
  torch::NoGradGuard noGrad;
  auto rng = at::detail::createCPUGenerator(seed);
  const auto z = torch::randn({count, zDim}, rng).to(target);
  const auto images = generator->sample(z, truncation).to(torch::kCPU, torch::kFloat).contiguous();
  GeneratedImages out;
  out.step = step;
  out.count = count;
  out.channels = static_cast<int>(images.size(1));
  out.height = static_cast<int>(images.size(2));
  out.width = static_cast<int>(images.size(3));
  out.pixels.assign(images.data_ptr<float>(), images.data_ptr<float>() + images.numel());
  out.display = readSampleDisplay(runDir);
  return out;
}

namespace {
std::filesystem::path displayPath(const std::filesystem::path& run) { return run / "samples" / "display.json"; }
}  // namespace

std::vector<data::ChannelStyle> readSampleDisplay(const std::filesystem::path& run) {
  std::ifstream in(displayPath(run));
  if (!in) return {};
  try {
    const auto json = nlohmann::json::parse(in);
    std::vector<data::ChannelStyle> styles;
    for (const auto& c : json.at("channels")) {
      data::ChannelStyle s;
      s.red = c.at("rgb").at(0).get<std::uint8_t>();
      s.green = c.at("rgb").at(1).get<std::uint8_t>();
      s.blue = c.at("rgb").at(2).get<std::uint8_t>();
      s.low = c.at("low").get<float>();
      s.high = c.at("high").get<float>();
      styles.push_back(s);
    }
    return styles;
  } catch (const std::exception&) {
    return {};  // a damaged file only costs the shared look: callers fall back to their own ranges
  }
}

void writeSampleDisplay(const std::filesystem::path& run, const std::vector<data::ChannelStyle>& styles) {
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& s : styles)
    channels.push_back({{"rgb", {s.red, s.green, s.blue}}, {"low", s.low}, {"high", s.high}});
  std::filesystem::create_directories(displayPath(run).parent_path());
  common::writeFileAtomically(displayPath(run), nlohmann::json{{"channels", channels}}.dump(1) + "\n");
}

}  // namespace gandl::pipeline
