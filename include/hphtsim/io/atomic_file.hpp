// SPDX-License-Identifier: MIT
// Replacing a file so that a reader, a kill or a power loss sees the old file or the new one,
// never a part of either: the new file is written whole under a temporary name in the same
// directory (a rename is atomic only within one file system), fsync'ed, renamed over the
// target, and the directory is fsync'ed so that the rename itself is on disk. The result file,
// its XDMF sidecar and the checkpoint all go through here.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace hphtsim::io {

/// Whether commit_file may replace an existing target.
enum class Replace { kAllowed, kNever };

/// The temporary name replace_file builds `target` under: `target` + ".tmp".
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

/// Makes the complete, closed file `temp` durable (fsync) and moves it to `target` (same
/// directory), then fsyncs the directory. Replace::kNever never replaces a file: it links
/// `temp` to `target`, which fails if `target` exists (on a file system without hard links it
/// checks and renames), and then returns false with `temp` left in place. IoError on failure.
bool commit_file(const std::filesystem::path& temp, const std::filesystem::path& target,
                 Replace replace = Replace::kAllowed);

/// `write(temp)` creates the whole new file at temp = temporary_path_for(target); then
/// commit_file. If `write` or the commit throws, temp is removed and `target` is unchanged.
void replace_file(const std::filesystem::path& target,
                  const std::function<void(const std::filesystem::path& temp)>& write);

/// replace_file with `contents` as the new file's bytes.
void replace_file_contents(const std::filesystem::path& target, std::string_view contents);

}  // namespace hphtsim::io
