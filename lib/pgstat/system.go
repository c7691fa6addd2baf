package pgstat

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// readSystem reads CPU, load and memory from /proc, as pgmetrics does when
// the server is on this host.
func readSystem() (*System, error) {
	s := &System{NumCores: runtime.NumCPU()}
	s.Hostname, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			s.LoadAvg, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		cores := 0
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "model name":
				if s.CPUModel == "" {
					s.CPUModel = strings.TrimSpace(v)
				}
			case "processor":
				cores++
			}
		}
		f.Close()
		if cores > 0 {
			s.NumCores = cores
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		m[k] = n * 1024 // kB
	}
	s.MemFree, s.MemBuffers, s.MemCached, s.MemSlab = m["MemFree"], m["Buffers"], m["Cached"], m["Slab"]
	s.MemUsed = m["MemTotal"] - s.MemFree - s.MemBuffers - s.MemCached - s.MemSlab
	s.SwapFree = m["SwapFree"]
	s.SwapUsed = m["SwapTotal"] - s.SwapFree
	return s, nil
}

// fillTablespaceDisk adds disk and inode usage through statfs, for
// tablespaces whose location this process can see.
func fillTablespaceDisk(ts []Tablespace) {
	for i := range ts {
		if ts[i].Location == "" {
			continue
		}
		var st syscall.Statfs_t
		if err := syscall.Statfs(ts[i].Location, &st); err != nil {
			continue
		}
		bs := int64(st.Bsize)
		ts[i].DiskTotal = int64(st.Blocks) * bs
		ts[i].DiskUsed = (int64(st.Blocks) - int64(st.Bfree)) * bs
		ts[i].InodesTotal = int64(st.Files)
		ts[i].InodesUsed = int64(st.Files) - int64(st.Ffree)
	}
}
