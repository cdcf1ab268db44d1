// kstream-bench: the list benchmark (see args.cc for the usage, list_run.h for what is
// measured). A thin main: parse the sub-command's flags, run it.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kstream_bench/args.h"
#include "kstream_bench/list_run.h"
#include "kstream_bench/load.h"

int main(int argc, char** argv) {
  using namespace kstream::bench;
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(Usage().c_str(), argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(Usage().c_str(), stdout);
      return 0;
    }
  }
  if (cmd == "load") {
    auto o = ParseLoadArgs(args);
    if (!o.ok()) {
      std::fprintf(stderr, "kstream-bench load: %s\n", std::string(o.status().message()).c_str());
      return 2;
    }
    auto r = RunLoad(*o);
    if (!r.ok()) {
      std::fprintf(stderr, "kstream-bench load: %s\n", r.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", r->Summary(*o).c_str());
    return 0;
  }
  if (cmd == "list") {
    auto o = ParseListArgs(args);
    if (!o.ok()) {
      std::fprintf(stderr, "kstream-bench list: %s\n", std::string(o.status().message()).c_str());
      return 2;
    }
    return RunListCommand(*o);
  }
  if (cmd == "raw") {
    auto o = ParseRawArgs(args);
    if (!o.ok()) {
      std::fprintf(stderr, "kstream-bench raw: %s\n", std::string(o.status().message()).c_str());
      return 2;
    }
    return RunRawCommand(*o);
  }
  std::fprintf(stderr, "kstream-bench: unknown command \"%s\" (load, list, raw; --help)\n", cmd.c_str());
  return 2;
}
