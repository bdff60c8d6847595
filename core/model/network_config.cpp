#include "core/model/network_config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace gandl::model {
namespace {

// One table drives toJson, fromJson and operator==, so a new field cannot be forgotten in one.
struct IntField {
  const char* name;
  int NetworkConfig::*member;
};
struct RealField {
  const char* name;
  double NetworkConfig::*member;
};

constexpr IntField kIntFields[] = {
    {"resolution", &NetworkConfig::resolution},
    {"image_channels", &NetworkConfig::image_channels},
    {"z_dim", &NetworkConfig::z_dim},
    {"w_dim", &NetworkConfig::w_dim},
    {"mapping_layers", &NetworkConfig::mapping_layers},
    {"channel_base", &NetworkConfig::channel_base},
    {"channel_max", &NetworkConfig::channel_max},
    {"mbstd_group", &NetworkConfig::mbstd_group},
    {"mbstd_channels", &NetworkConfig::mbstd_channels},
};
constexpr RealField kRealFields[] = {
    {"mapping_lr_multiplier", &NetworkConfig::mapping_lr_multiplier},
    {"w_avg_beta", &NetworkConfig::w_avg_beta},
};

template <typename T>
[[noreturn]] void fail(const char* field, T value, const std::string& expected) {
  std::ostringstream message;
  message << "network config: " << field << " = " << value << " is invalid; expected " << expected;
  throw std::invalid_argument(message.str());
}

bool isPowerOfTwo(int value) { return value > 0 && (value & (value - 1)) == 0; }

}  // namespace

int channelsAt(int channel_base, int channel_max, int res) { return std::min(channel_base / res, channel_max); }

int NetworkConfig::channelsAt(int res) const { return gandl::model::channelsAt(channel_base, channel_max, res); }

int NetworkConfig::resolutionLog2() const {
  int log2 = 0;
  while ((1 << (log2 + 1)) <= resolution) ++log2;
  return log2;
}

int NetworkConfig::numWs() const { return 2 * resolutionLog2() - 2; }

int NetworkConfig::embeddingDim() const { return channelsAt(4); }

std::vector<int> NetworkConfig::blockResolutions() const {
  std::vector<int> sides;
  for (int res = 4; res <= resolution; res *= 2) sides.push_back(res);
  return sides;
}

void NetworkConfig::validate() const {
  if (!isPowerOfTwo(resolution) || resolution < 32 || resolution > 512)
    fail("resolution", resolution, "a power of two from 32 to 512");
  if (image_channels < 1) fail("image_channels", image_channels, "at least 1");
  if (z_dim < 1) fail("z_dim", z_dim, "at least 1");
  if (w_dim < 1) fail("w_dim", w_dim, "at least 1");
  if (mapping_layers < 1) fail("mapping_layers", mapping_layers, "at least 1");
  if (!(mapping_lr_multiplier > 0.0)) fail("mapping_lr_multiplier", mapping_lr_multiplier, "a positive number");
  if (!(w_avg_beta >= 0.0 && w_avg_beta < 1.0)) fail("w_avg_beta", w_avg_beta, "a number in [0, 1)");
  if (channel_max < 1) fail("channel_max", channel_max, "at least 1");
  if (channel_base < resolution)
    fail("channel_base", channel_base,
         "at least the resolution (" + std::to_string(resolution) + ") so that every block has one channel or more");
  if (mbstd_group < 1) fail("mbstd_group", mbstd_group, "at least 1");
  if (mbstd_channels < 0) fail("mbstd_channels", mbstd_channels, "0 (off) or more");
  if (mbstd_channels > 0 && channelsAt(4) % mbstd_channels != 0)
    fail("mbstd_channels", mbstd_channels,
         "a divisor of the 4x4 block's channel count " + std::to_string(channelsAt(4)));
  const auto channels = static_cast<std::size_t>(image_channels);
  if (input_mean.size() != input_scale.size() || (!input_mean.empty() && input_mean.size() != channels))
    fail("input_mean / input_scale", std::to_string(input_mean.size()) + " / " + std::to_string(input_scale.size()),
         "both empty or both of " + std::to_string(image_channels) + " values (one per image channel)");
  for (std::size_t c = 0; c < input_mean.size(); ++c) {
    if (!std::isfinite(input_mean[c]))
      fail("input_mean", "[" + std::to_string(c) + "] " + std::to_string(input_mean[c]), "a finite number");
    if (!(std::isfinite(input_scale[c]) && input_scale[c] > 0))
      fail("input_scale", "[" + std::to_string(c) + "] " + std::to_string(input_scale[c]), "a positive number");
  }
}

nlohmann::json NetworkConfig::toJson() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& field : kIntFields) json[field.name] = this->*field.member;
  for (const auto& field : kRealFields) json[field.name] = this->*field.member;
  // Written only when set, so the configuration of a model without it reads as before.
  if (normalizesInput()) {
    json["input_mean"] = input_mean;
    json["input_scale"] = input_scale;
  }
  return json;
}

NetworkConfig NetworkConfig::fromJson(const nlohmann::json& json) {
  if (!json.is_object()) throw std::invalid_argument("network config: expected a JSON object, got " + json.dump());
  NetworkConfig config;
  for (const auto& [key, value] : json.items()) {
    bool known = false;
    for (const auto& field : kIntFields) {
      if (key != field.name) continue;
      known = true;
      // get<int>() would cut 2^32 + 32 to 32: the whole 64-bit value must fit.
      if (!value.is_number_integer() ||
          (value.is_number_unsigned() ? value.get<std::uint64_t>() > std::numeric_limits<int>::max()
                                      : value.get<std::int64_t>() < std::numeric_limits<int>::min() ||
                                            value.get<std::int64_t>() > std::numeric_limits<int>::max()))
        fail(field.name, value.dump(), "an integer within a 32-bit int");
      config.*field.member = value.get<int>();
    }
    for (const auto& field : kRealFields) {
      if (key != field.name) continue;
      known = true;
      if (!value.is_number()) fail(field.name, value.dump(), "a number");
      config.*field.member = value.get<double>();
    }
    for (auto member : {&NetworkConfig::input_mean, &NetworkConfig::input_scale}) {
      const char* name = member == &NetworkConfig::input_mean ? "input_mean" : "input_scale";
      if (key != name) continue;
      known = true;
      if (!value.is_array()) fail(name, value.dump(), "an array of numbers");
      for (const auto& element : value) {
        if (!element.is_number()) fail(name, value.dump(), "an array of numbers");
        (config.*member).push_back(element.get<double>());
      }
    }
    if (!known)
      throw std::invalid_argument("network config: unknown field '" + key + "' (value " + value.dump() +
                                  "); is it misspelt?");
  }
  config.validate();
  return config;
}

bool NetworkConfig::operator==(const NetworkConfig& other) const {
  for (const auto& field : kIntFields)
    if (this->*field.member != other.*field.member) return false;
  for (const auto& field : kRealFields)
    if (this->*field.member != other.*field.member) return false;
  return input_mean == other.input_mean && input_scale == other.input_scale;
}

}  // namespace gandl::model
