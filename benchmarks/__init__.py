"""The benchmarks of bpcode: see benchmarks/README.md."""
