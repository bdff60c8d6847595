#pragma once
// Path identity, for refusing an output that would overwrite one of the command's inputs.

#include <filesystem>
#include <string>
#include <vector>

namespace gandl::common {

// True when `a` and `b` name the same file or folder (through symbolic links, "..", relative
// spellings), whether or not they exist yet.
bool samePath(const std::filesystem::path& a, const std::filesystem::path& b);

// Throws std::invalid_argument ("<what> <out> is <name of the input>; ...") when `output` is one
// of `inputs` (each with a name for the message).
void refuseOutputThatIsAnInput(const std::filesystem::path& output, const std::string& what,
                               const std::vector<std::pair<std::filesystem::path, std::string>>& inputs);

}  // namespace gandl::common
