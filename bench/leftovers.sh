#!/bin/sh
# leftovers.sh MARK [PID...]: lists, stops and fails on every process still
# running that a benchmark started: those with UMNIC_BENCH_MARK=MARK in
# their environment (bench/all.sh sets it for the whole run), and their
# descendants (umnicd starts driver hosts with an environment of their
# own). The PIDs given are not counted (the caller). Processes of others
# never carry this run's mark, so they are never counted or touched.
set -u
mark=$1
shift

# The roots: processes whose environment holds the mark (one grep over them
# all; a process we may not read is not ours).
roots=$(grep -l -a -z -x -F "UMNIC_BENCH_MARK=$mark" /proc/[0-9]*/environ 2>/dev/null |
	sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' | tr '\n' ' ')

# The roots and all their descendants that still run (not zombies), but
# for this script and the PIDs given. comm may hold spaces and ")": the
# fields that follow it start after the last ") ".
left=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$roots" -v skip="$* $$" '
	{
		r = $0
		sub(/.*\) /, "", r)
		split(r, f, " ")
		ppid[$1] = f[2]
		state[$1] = f[1]
	}
	END {
		n = split(roots, a, " ")
		for (i = 1; i <= n; i++)
			in_set[a[i]] = 1
		do {
			changed = 0
			for (p in ppid)
				if (!(p in in_set) && (ppid[p] in in_set)) {
					in_set[p] = 1
					changed = 1
				}
		} while (changed)
		n = split(skip, s, " ")
		for (i = 1; i <= n; i++)
			delete in_set[s[i]]
		for (p in in_set)
			if ((p in state) && state[p] != "Z")
				print p
	}')

if [ -z "$left" ]; then
	echo "# leftovers: none of the processes the benchmarks started is still running" >&2
	exit 0
fi
for p in $left; do
	echo "error: still running after the benchmarks: pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
done
# Stopped too (they are this run's, by the mark), so a failed run does not leave them spinning.
for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
exit 1
