#include "bench/samples_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace partcheck::bench {

SampleLog::SampleLog(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "w");
  if (!file_) throw std::runtime_error("--samples " + path_ + ": " + std::strerror(errno));
}

SampleLog::~SampleLog() {
  if (file_) std::fclose(file_);
}

void SampleLog::write() {
  if (!file_) throw std::runtime_error("--samples " + path_ + ": already written");
  bool ok = true;
  for (const auto& [name, values] : series_)
    for (double v : values) ok = std::fprintf(file_, "%s %.17g\n", name.c_str(), v) > 0 && ok;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) throw std::runtime_error("--samples " + path_ + ": cannot write the file");
}

}  // namespace partcheck::bench
