#include "core/model/training_config.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <nlohmann/json.hpp>
#include <utility>
#include <stdexcept>

namespace gandl::model {
namespace {

// A JSON whole number that fits T exactly: nlohmann's get<int>() would cut 2^32 + 32 to 32 and
// 3.5 to 3, so a hand-edited config.json would train with another value than it says.
template <typename T>
T wholeNumber(const nlohmann::json& value, const std::string& key) {
  const bool fits = value.is_number_unsigned()
                        ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                    : value.is_number_integer()
                        ? std::is_signed_v<T> &&
                              value.get<std::int64_t>() >= std::int64_t(std::numeric_limits<T>::min()) &&
                              value.get<std::int64_t>() <= std::int64_t(std::numeric_limits<T>::max())
                        : false;
  if (!fits)
    throw std::invalid_argument("training config: key '" + key + "' = " + value.dump() +
                                ", expected a whole number in [" + std::to_string(std::numeric_limits<T>::min()) +
                                ", " + std::to_string(std::numeric_limits<T>::max()) + "]");
  return value.get<T>();
}

void require(bool ok, const std::string& field, const std::string& value, const std::string& expected) {
  if (!ok) throw std::invalid_argument("training config: " + field + " = " + value + ", expected " + expected);
}

}  // namespace

double TrainingConfig::r1Gamma() const {
  if (r1_gamma >= 0) return r1_gamma;
  return 0.0002 * network.resolution * network.resolution / batch;
}

double TrainingConfig::emaKimg() const { return ema_kimg >= 0 ? ema_kimg : batch * 10.0 / 32.0; }

int TrainingConfig::augmentShift() const { return augment_shift >= 0 ? augment_shift : network.resolution / 8; }

void TrainingConfig::validate() const {
  network.validate();
  require(batch >= 2, "batch", std::to_string(batch), "at least 2 (8 or more recommended)");
  require(network.mbstd_group <= 0 || batch % std::min(network.mbstd_group, batch) == 0, "batch", std::to_string(batch),
          "a multiple of mbstd_group " + std::to_string(network.mbstd_group));
  require(steps >= 1, "steps", std::to_string(steps), "at least 1");
  // Every real-valued setting is finite: an `inf` learning rate would be written to config.json
  // as null and break every later embed, info and resume.
  const std::pair<const char*, double> reals[] = {{"g_lr", g_lr},
                                                  {"d_lr", d_lr},
                                                  {"beta1", beta1},
                                                  {"beta2", beta2},
                                                  {"adam_eps", adam_eps},
                                                  {"r1_gamma", r1_gamma},
                                                  {"pl_weight", pl_weight},
                                                  {"pl_decay", pl_decay},
                                                  {"gp_lambda", gp_lambda},
                                                  {"wgan_epsilon", wgan_epsilon},
                                                  {"style_mixing", style_mixing},
                                                  {"contrastive_weight", contrastive_weight},
                                                  {"contrastive_temperature", contrastive_temperature},
                                                  {"ema_kimg", ema_kimg},
                                                  {"ema_rampup", ema_rampup}};
  for (const auto& [name, value] : reals) require(std::isfinite(value), name, std::to_string(value), "a finite number");
  require(g_lr > 0 && d_lr > 0, "lr", std::to_string(g_lr) + "/" + std::to_string(d_lr), "> 0");
  require(adam_eps > 0, "adam_eps", std::to_string(adam_eps), "> 0");
  require(pl_weight >= 0 && gp_lambda >= 0 && wgan_epsilon >= 0 && ema_rampup >= 0,
          "pl_weight/gp_lambda/wgan_epsilon/ema_rampup",
          std::to_string(pl_weight) + "/" + std::to_string(gp_lambda) + "/" + std::to_string(wgan_epsilon) + "/" +
              std::to_string(ema_rampup),
          ">= 0");
  require(pl_decay >= 0 && pl_decay <= 1, "pl_decay", std::to_string(pl_decay), "a value in [0, 1]");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas",
          std::to_string(beta1) + "," + std::to_string(beta2), "values in [0, 1)");
  require(r1_interval >= 1, "r1_interval", std::to_string(r1_interval), ">= 1");
  require(pl_interval >= 1, "pl_interval", std::to_string(pl_interval), ">= 1");
  require(pl_batch_shrink >= 1, "pl_batch_shrink", std::to_string(pl_batch_shrink), ">= 1");
  require(style_mixing >= 0 && style_mixing <= 1, "style_mixing", std::to_string(style_mixing), "a probability");
  require(contrastive_weight >= 0, "contrastive_weight", std::to_string(contrastive_weight), "0 (off) or more");
  require(contrastive_pairs == "site" || contrastive_pairs == "image", "contrastive_pairs", contrastive_pairs,
          "site or image");
  require(contrastive_temperature > 0, "contrastive_temperature", std::to_string(contrastive_temperature), "> 0");
  require(view == "resize" || view == "tiles", "view", view, "resize or tiles");
  require(draws == "stream" || draws == "keyed", "draws", draws, "stream or keyed");
  require(precision == "fp32" || precision == "bf16", "precision", precision, "fp32 or bf16");
  require(checkpoint_every >= 1, "checkpoint_every", std::to_string(checkpoint_every), ">= 1");
  require(keep_checkpoints >= 1, "keep_checkpoints", std::to_string(keep_checkpoints), ">= 1");
  require(log_every >= 1 && sample_every >= 1, "log_every/sample_every",
          std::to_string(log_every) + "/" + std::to_string(sample_every), ">= 1");
  require(sample_count >= 1, "sample_count", std::to_string(sample_count), ">= 1");
  require(max_bad_steps >= 1, "max_bad_steps", std::to_string(max_bad_steps), ">= 1");
}

nlohmann::json TrainingConfig::toJson() const {
  return {{"network", network.toJson()},
          {"batch", batch},
          {"steps", steps},
          {"g_lr", g_lr},
          {"d_lr", d_lr},
          {"beta1", beta1},
          {"beta2", beta2},
          {"adam_eps", adam_eps},
          {"loss", loss == GanLoss::Logistic ? "logistic" : "wgan-gp"},
          {"r1_gamma", r1_gamma},
          {"r1_gamma_effective", r1Gamma()},
          {"r1_interval", r1_interval},
          {"pl_weight", pl_weight},
          {"pl_interval", pl_interval},
          {"pl_decay", pl_decay},
          {"pl_batch_shrink", pl_batch_shrink},
          {"gp_lambda", gp_lambda},
          {"wgan_epsilon", wgan_epsilon},
          {"style_mixing", style_mixing},
          {"contrastive_weight", contrastive_weight},
          {"contrastive_temperature", contrastive_temperature},
          {"contrastive_pairs", contrastive_pairs},
          {"ema_kimg", ema_kimg},
          {"ema_rampup", ema_rampup},
          {"augment", augment},
          {"augment_shift", augment_shift},
          {"seed", seed},
          {"view", view},
          {"normalize_input", normalize_input},
          {"draws", draws},
          {"precision", precision},
          {"checkpoint_every", checkpoint_every},
          {"keep_checkpoints", keep_checkpoints},
          {"log_every", log_every},
          {"sample_every", sample_every},
          {"sample_count", sample_count},
          {"max_bad_steps", max_bad_steps}};
}

TrainingConfig TrainingConfig::fromJson(const nlohmann::json& json) {
  TrainingConfig c;
  if (!json.is_object()) throw std::invalid_argument("training config: expected a JSON object");
  for (const auto& [key, value] : json.items()) {
    try {
      if (key == "network")
        c.network = NetworkConfig::fromJson(value);
      else if (key == "batch")
        c.batch = wholeNumber<int>(value, key);
      else if (key == "steps")
        c.steps = wholeNumber<std::int64_t>(value, key);
      else if (key == "g_lr")
        c.g_lr = value.get<double>();
      else if (key == "d_lr")
        c.d_lr = value.get<double>();
      else if (key == "beta1")
        c.beta1 = value.get<double>();
      else if (key == "beta2")
        c.beta2 = value.get<double>();
      else if (key == "adam_eps")
        c.adam_eps = value.get<double>();
      else if (key == "loss") {
        const auto name = value.get<std::string>();
        if (name != "logistic" && name != "wgan-gp")
          throw std::invalid_argument("training config: loss = " + name + ", expected logistic or wgan-gp");
        c.loss = name == "logistic" ? GanLoss::Logistic : GanLoss::WassersteinGp;
      } else if (key == "r1_gamma")
        c.r1_gamma = value.get<double>();
      else if (key == "r1_gamma_effective")
        continue;  // derived, written for the reader
      else if (key == "r1_interval")
        c.r1_interval = wholeNumber<int>(value, key);
      else if (key == "pl_weight")
        c.pl_weight = value.get<double>();
      else if (key == "pl_interval")
        c.pl_interval = wholeNumber<int>(value, key);
      else if (key == "pl_decay")
        c.pl_decay = value.get<double>();
      else if (key == "pl_batch_shrink")
        c.pl_batch_shrink = wholeNumber<int>(value, key);
      else if (key == "gp_lambda")
        c.gp_lambda = value.get<double>();
      else if (key == "wgan_epsilon")
        c.wgan_epsilon = value.get<double>();
      else if (key == "style_mixing")
        c.style_mixing = value.get<double>();
      else if (key == "contrastive_weight")
        c.contrastive_weight = value.get<double>();
      else if (key == "contrastive_temperature")
        c.contrastive_temperature = value.get<double>();
      else if (key == "contrastive_pairs")
        c.contrastive_pairs = value.get<std::string>();
      else if (key == "ema_kimg")
        c.ema_kimg = value.get<double>();
      else if (key == "ema_rampup")
        c.ema_rampup = value.get<double>();
      else if (key == "augment")
        c.augment = value.get<bool>();
      else if (key == "augment_shift")
        c.augment_shift = wholeNumber<int>(value, key);
      else if (key == "seed")
        c.seed = wholeNumber<std::uint64_t>(value, key);
      else if (key == "view")
        c.view = value.get<std::string>();
      else if (key == "normalize_input")
        c.normalize_input = value.get<bool>();
      else if (key == "draws")
        c.draws = value.get<std::string>();
      else if (key == "precision")
        c.precision = value.get<std::string>();
      else if (key == "checkpoint_every")
        c.checkpoint_every = wholeNumber<int>(value, key);
      else if (key == "keep_checkpoints")
        c.keep_checkpoints = wholeNumber<int>(value, key);
      else if (key == "log_every")
        c.log_every = wholeNumber<int>(value, key);
      else if (key == "sample_every")
        c.sample_every = wholeNumber<int>(value, key);
      else if (key == "sample_count")
        c.sample_count = wholeNumber<int>(value, key);
      else if (key == "max_bad_steps")
        c.max_bad_steps = wholeNumber<int>(value, key);
      else
        throw std::invalid_argument("training config: unknown key '" + key + "'");
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument("training config: key '" + key + "' has the wrong type (" + value.dump() + ")");
    }
  }
  c.validate();
  return c;
}

}  // namespace gandl::model
