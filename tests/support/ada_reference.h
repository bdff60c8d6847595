#pragma once
// Reference tensors written by the scripts in tests/model/data (make_ada_reference.py,
// make_trainer_reference.py) from NVlabs/stylegan2-ada-pytorch, and loading them into GAN-DL's
// networks by parameter name (ours are named as ada's).

#include <QtGlobal>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace gandl::test {

struct AdaReference {
  nlohmann::json meta;  // the .json: a list of tensors, or an object whose "tensors" is that list
  std::map<std::string, torch::Tensor> tensors;
  bool empty() const { return tensors.empty(); }
};

// tests/model/data/<name>.{json,bin}; empty when missing or short.
inline AdaReference loadAdaReference(const std::string& name) {
  const std::string base = std::string(GANDL_SOURCE_DIR) + "/tests/model/data/" + name;
  std::ifstream indexFile(base + ".json");
  std::ifstream blobFile(base + ".bin", std::ios::binary);
  if (!indexFile || !blobFile) return {};
  AdaReference reference;
  reference.meta = nlohmann::json::parse(indexFile);
  const auto& index = reference.meta.is_array() ? reference.meta : reference.meta.at("tensors");
  const std::string blob((std::istreambuf_iterator<char>(blobFile)), std::istreambuf_iterator<char>());
  for (const auto& entry : index) {
    auto tensor = torch::empty(entry["shape"].get<std::vector<int64_t>>());
    const auto offset = entry["offset"].get<std::size_t>();
    const auto bytes = static_cast<std::size_t>(tensor.numel()) * sizeof(float);
    if (offset + bytes > blob.size()) return {};
    std::memcpy(tensor.data_ptr<float>(), blob.data() + offset, bytes);
    reference.tensors[entry["name"].get<std::string>()] = tensor;
  }
  return reference;
}

// Copies every reference tensor named `prefix` + <our name> into `module`; returns how many
// parameters and buffers of `module` found no counterpart (0 when the names line up).
inline int loadByName(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& reference,
                      const std::string& prefix) {
  torch::NoGradGuard noGrad;
  int missing = 0;
  auto fill = [&](const std::string& name, torch::Tensor& target) {
    const auto found = reference.find(prefix + name);
    if (found == reference.end() || !found->second.sizes().equals(target.sizes())) {
      if (name.find("resample_filter") == std::string::npos) {  // a constant, not in the file
        qWarning("no reference tensor for %s%s", prefix.c_str(), name.c_str());
        ++missing;
      }
      return;
    }
    target.copy_(found->second);
  };
  for (auto& item : module.named_parameters()) fill(item.key(), item.value());
  for (auto& item : module.named_buffers()) fill(item.key(), item.value());
  return missing;
}

}  // namespace gandl::test
