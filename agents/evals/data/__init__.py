"""Benchmark data shipped with thinkroom (a package so that wheels carry the files and their licences)."""
