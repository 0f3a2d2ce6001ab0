#!/usr/bin/env bash
# Adds every public symbol the build reports as undeclared (RS0016) to its project's PublicAPI.Unshipped.txt, and
# drops the ones it reports as declared but gone (RS0017), then sorts the file. The diff of those files is the
# public API change. RS0016's message names the symbol exactly as the baseline writes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
for project in "$@"; do
  file=src/$project/PublicAPI.Unshipped.txt
  log=$(dotnet build "src/$project/$project.csproj" -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
  added=$(grep -oP "src/$project/[^(]*\(\d+,\d+\): (warning|error) RS0016: Symbol '\K.*(?=' is not part of the declared public API)" <<<"$log" | sort -u || true)
  gone=$(grep -oP "(warning|error) RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" <<<"$log" | sort -u || true)
  { head -n 1 "$file"; { tail -n +2 "$file"; [ -n "$added" ] && printf '%s\n' "$added"; true; } |
      grep -vxF -f <(printf '%s\n' "$gone" | sed '/^$/d'; echo '#nullable enable') | sort -u; } >"$file.new"
  mv "$file.new" "$file"
  echo "$project: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$gone" | grep -c . || true) removed"
done
