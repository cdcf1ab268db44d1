// Micro-benchmarks of the typed codecs: a realistic Pod (bench/data/pod.json) encoded to
// JSON and protobuf, protobuf -> JSON transcoding, and a typed PodList streamed as protobuf.
// Single-threaded; registered into kstream-microbench (report in json_bench.cc).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "api/json.h"
#include "api/typed/scheme.h"
#include "collection/typed_list.h"
#include "encoding/sink.h"

namespace kstream {
namespace {

std::unique_ptr<typed::Object> TypedPod() {
  std::ifstream in(KSTREAM_SOURCE_DIR "/bench/data/pod.json", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto v = api::ParseJson(ss.str());
  auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
  if (!obj.ok()) {
    fprintf(stderr, "pod.json: %s\n", obj.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(obj).value();
}

void BM_TypedPod_EncodeJson(benchmark::State& state) {
  auto pod = TypedPod();
  std::string out;
  for (auto _ : state) {
    out.clear();
    typed::AppendObjectJson(*pod, &out).IgnoreError();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_TypedPod_EncodeJson);

void BM_TypedPod_EncodeProtobuf(benchmark::State& state) {
  auto pod = TypedPod();
  std::string out;
  for (auto _ : state) {
    out.clear();
    typed::AppendObjectProtobuf(*pod, &out).IgnoreError();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_TypedPod_EncodeProtobuf);

void BM_TypedPod_DecodeProtobuf(benchmark::State& state) {
  auto pod = TypedPod();
  std::string pb;
  typed::AppendObjectProtobuf(*pod, &pb).IgnoreError();
  for (auto _ : state) {
    auto obj = typed::DecodeObjectProtobuf(typed::Scheme::Default(), pb);
    benchmark::DoNotOptimize(obj);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * pb.size()));
}
BENCHMARK(BM_TypedPod_DecodeProtobuf);

// What a LIST from storage does for a JSON client: stored protobuf in, JSON out.
void BM_TypedPod_TranscodeProtobufToJson(benchmark::State& state) {
  auto pod = TypedPod();
  std::string pb;
  typed::AppendObjectProtobuf(*pod, &pb).IgnoreError();
  std::string out;
  for (auto _ : state) {
    auto obj = typed::DecodeObjectProtobuf(typed::Scheme::Default(), pb);
    out.clear();
    typed::AppendObjectJson(**obj, &out).IgnoreError();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_TypedPod_TranscodeProtobufToJson);

void BM_TypedPod_DecodeJson(benchmark::State& state) {
  auto pod = TypedPod();
  std::string json;
  typed::AppendObjectJson(*pod, &json).IgnoreError();
  for (auto _ : state) {
    auto v = api::ParseJson(json);
    auto obj = typed::DecodeObject(typed::Scheme::Default(), *v);
    benchmark::DoNotOptimize(obj);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_TypedPod_DecodeJson);

class PodSource final : public collection::ItemSource<typed::Object> {
 public:
  PodSource(const typed::Object* pod, size_t n) : pod_(pod), n_(n) {}
  Result<const typed::Object*> Next() override {
    if (i_ >= n_) return static_cast<const typed::Object*>(nullptr);
    ++i_;
    return pod_;
  }
  Status Rewind() override {
    i_ = 0;
    return Status::Ok();
  }

 private:
  const typed::Object* pod_;
  size_t n_;
  size_t i_ = 0;
};

class NullSink final : public encoding::Sink {
 public:
  Status Write(std::string_view b) override {
    bytes += b.size();
    return Status::Ok();
  }
  size_t bytes = 0;
};

template <bool kProtobuf>
void ListOfPods(benchmark::State& state) {
  auto pod = TypedPod();
  if (auto* tm = pod->type_meta()) *tm = {};
  collection::TypedListHeader header{"v1", "PodList", {}};
  size_t bytes = 0;
  for (auto _ : state) {
    PodSource source(pod.get(), 1000);
    NullSink socket;
    encoding::BatchSink batches(&socket);
    if constexpr (kProtobuf) {
      collection::TypedListProtobufEncoder enc(&header, &source);
      enc.EncodeAll(&batches).IgnoreError();
    } else {
      collection::TypedListJsonEncoder enc(&header, &source);
      enc.EncodeAll(&batches).IgnoreError();
    }
    batches.Close().IgnoreError();
    bytes += socket.bytes;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_TypedPodList1000_Json(benchmark::State& state) { ListOfPods<false>(state); }
BENCHMARK(BM_TypedPodList1000_Json)->Unit(benchmark::kMillisecond);
void BM_TypedPodList1000_Protobuf(benchmark::State& state) { ListOfPods<true>(state); }
BENCHMARK(BM_TypedPodList1000_Protobuf)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kstream
