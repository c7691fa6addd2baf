"""Time whole commands, interleaved: interleave.py [--raw] RUNS 'CMD1' 'CMD2' ...

Each round runs every command once (posix_spawn, stdout to /dev/null), in a
new random order each round, so that no command always follows the same
one, and reads from wait4 its wall time, CPU (user+sys, children
included), minor page faults and context switches (voluntary +
involuntary). Ten warm-up rounds are dropped. Interleaving puts every
command under the same changing load, which a shared machine has;
hyperfine runs one command's batch after the other's. Prints per command:
median wall, median CPU, 25th percentile of wall, the command; with --raw
one line "wall cpu faults switches command" of medians, for a script to
read. A command that exits non-zero stops it.
"""
import os
import random
import shlex
import statistics
import sys
import time


def once(argv, devnull):
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1e3
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"interleave: {shlex.join(argv)}: exit status {os.waitstatus_to_exitcode(status)}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3, ru.ru_minflt, ru.ru_nvcsw + ru.ru_nivcsw


def main():
    args = sys.argv[1:]
    raw = args[:1] == ["--raw"]
    if raw:
        args = args[1:]
    runs, cmds = int(args[0]), args[1:]
    argvs = [shlex.split(c) for c in cmds]
    devnull = os.open(os.devnull, os.O_RDWR)
    res = [[] for _ in cmds]
    for i in range(runs + 10):
        for j, argv in random.sample(list(enumerate(argvs)), len(argvs)):
            m = once(argv, devnull)
            if i >= 10:
                res[j].append(m)
    for cmd, r in zip(cmds, res):
        med = [statistics.median(x[k] for x in r) for k in range(4)]
        if raw:
            print(f"{med[0]:.3f} {med[1]:.3f} {med[2]:.0f} {med[3]:.0f} {cmd}")
            continue
        p25 = statistics.quantiles([x[0] for x in r], n=4)[0]
        print(f"{med[0]:7.2f} ms wall {med[1]:7.2f} ms cpu (p25 {p25:.2f})  {cmd}")


if __name__ == "__main__":
    main()
