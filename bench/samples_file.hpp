#pragma once
// `bench --samples FILE`: every latency the run put into its histograms, one
// line each, "<histogram name> <seconds as %.17g>", so merged percentiles can
// be checked against the raw values and users can run their own analysis.
// Samples are kept in memory (8 bytes each) and written once the run is over:
// writing text while the load runs would take CPU from the load itself.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace partcheck::bench {

class SampleLog {
 public:
  // Creates (truncates) the file now, so a path that cannot be written is
  // refused before any load; throws std::runtime_error naming --samples.
  explicit SampleLog(std::string path);
  ~SampleLog();
  SampleLog(const SampleLog&) = delete;
  SampleLog& operator=(const SampleLog&) = delete;

  // The list that takes the samples of histogram `name`; stays valid for the
  // log's life. The caller serialises additions (the recorder's mutex).
  std::vector<double>& series(const std::string& name) { return series_[name]; }

  // Writes every sample; throws std::runtime_error naming the file.
  void write();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::map<std::string, std::vector<double>> series_;
};

}  // namespace partcheck::bench
