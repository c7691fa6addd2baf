# Sourced by the benchmarks. gobuild OUT [go build flags] PKG builds OUT and
# puts it in place with cp, as an install does (write(2)), not as the Go
# linker leaves it (written through mmap). On the benchmark machine (Linux
# 6.18, ext4) a binary whose page cache the linker wrote starts about 0.8 ms
# slower at every exec than the same bytes written with write(2) or read
# back from disk, so a process-per-run comparison of two fresh builds was
# decided by which build drew which (docs/benchmarks.md, runwrap).
gobuild() {
	_gobuild_out=$1
	shift
	go build -o "$_gobuild_out.link" "$@" &&
		cp "$_gobuild_out.link" "$_gobuild_out" &&
		rm -f "$_gobuild_out.link"
}
