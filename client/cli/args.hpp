// Command-line parsing: positionals plus --options, in any order.
//
// `--name value` and `--name=value` take a value; the names in kFlags are
// booleans and never take one. `--` ends option parsing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "outcome.hpp"

namespace mskanban::cli {

struct Args {
    std::vector<std::string> pos;
    std::map<std::string, std::string> opt;
    bool has(const std::string &k) const { return opt.count(k) != 0; }
    std::string get(const std::string &k, const std::string &dflt = "") const {
        auto it = opt.find(k);
        return it == opt.end() ? dflt : it->second;
    }
};

Outcome<Args> parse_args(int argc, char **argv, int start);

}  // namespace mskanban::cli
